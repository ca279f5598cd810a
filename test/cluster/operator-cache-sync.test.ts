// A cache that cannot sync (an RBAC gap here; a broken conversion webhook does the same) must
// not hang reconciles: they fail naming the kind, and /healthz says the operator is stuck.
import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  operatorHttp,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import { clusterScopedRules, operatorClusterRules, type PolicyRule } from '../../operator/rbac.js';

const suite = useOperatorSuite('cache-sync');

/** Replaces the rules of the suite identity's ClusterRole (createOperatorIdentity names it). */
async function setClusterRules(rules: PolicyRule[]): Promise<void> {
  await admin().apply(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `rosterhub-operator-${suite.identity.namespace}` },
      rules,
    },
    'rosterhub-cluster-tests',
  );
}

const allRules = () => [...operatorClusterRules(), ...clusterScopedRules()];

afterEach(() => setClusterRules(allRules()));

describe('caches that cannot sync', () => {
  it('When the operator may not list PodDisruptionBudgets, then reconciles fail naming the kind, /healthz fails, and all heals once the RBAC is fixed', async () => {
    const namespace = await createDistrictNamespace('cache-sync');
    await setClusterRules(
      allRules().map((rule) =>
        rule.apiGroups.includes('policy')
          ? { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'list' && verb !== 'watch') }
          : rule,
      ),
    );
    const running = await suite.startOperator({ namespaces: [namespace], cacheSyncTimeoutSeconds: 3 });
    await applyInstance(districtInstance('district', namespace));

    const blocked = await waitForCondition(namespace, 'district', 'Reconciled', 'False', 'CacheNotSynced');
    const message = conditionOf(blocked, 'Reconciled')?.message ?? '';
    expect(message).toContain('cannot read PodDisruptionBudget');
    expect(message).toContain('forbidden');
    expect(blocked.status?.phase).toBe('Error');
    await waitFor(async () => (await operatorHttp(running.port, '/healthz')).status === 503);

    await setClusterRules(allRules());
    await waitForCondition(namespace, 'district', 'Ready');
    expect((await operatorHttp(running.port, '/healthz')).status).toBe(200);
  }, 150_000);
});
