// A rotated password or key (a managed service's, or an external server's) must reach the Pods.
import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  createDistrictNamespace,
  districtInstance,
  getObject,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { KubeObject } from '../../operator/kube/kube-client.js';

const suite = useOperatorSuite('secret-rotation');

const DIGEST = 'rosterhub.io/secret-digest';

function digestOf(object: KubeObject | undefined): string | undefined {
  const spec = object?.spec as
    | {
        template?: { metadata?: { annotations?: Record<string, string> } };
        jobTemplate?: { spec: { template: { metadata?: { annotations?: Record<string, string> } } } };
      }
    | undefined;
  return (spec?.template ?? spec?.jobTemplate?.spec.template)?.metadata?.annotations?.[DIGEST];
}

const cacheSecret = (namespace: string, password: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'cache', namespace },
  stringData: { scheme: 'redis', host: 'cache.example.org', port: '6379', password },
});

describe('secret rotation', () => {
  it('When the external Redis password is rotated, then the API, worker and backup Pods roll to read it', async () => {
    const namespace = await createDistrictNamespace('rotation');
    await suite.startOperator({ namespaces: [namespace], resyncSeconds: 10 });
    await admin().apply(cacheSecret(namespace, 'first-password'), 'rosterhub-cluster-tests');
    await applyInstance(
      districtInstance('district', namespace, {
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      }),
    );
    await waitForCondition(namespace, 'district', 'Ready');
    const workloads = [
      ['apps/v1', 'Deployment', 'district-api'],
      ['apps/v1', 'Deployment', 'district-worker'],
      ['batch/v1', 'CronJob', 'district-backup'],
    ] as const;
    const before = new Map<string, string | undefined>();
    for (const [apiVersion, kind, name] of workloads) {
      const digest = digestOf(await getObject(apiVersion, kind, namespace, name));
      expect({ name, digest }).toEqual({ name, digest: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
      before.set(name, digest);
    }

    await admin().apply(cacheSecret(namespace, 'rotated-password'), 'rosterhub-cluster-tests');
    for (const [apiVersion, kind, name] of workloads) {
      const rolled = await waitFor(async () => {
        const live = await getObject(apiVersion, kind, namespace, name);
        const digest = digestOf(live);
        return digest !== undefined && digest !== before.get(name) && live;
      });
      expect(JSON.stringify(rolled)).not.toContain('rotated-password');
    }
    await waitForCondition(namespace, 'district', 'Ready');
  }, 120_000);
});
