// The oldest Kubernetes the chart supports (scripts/k8s-testbin.sh --oldest, Chart.yaml's
// kubeVersion), beside the test cluster's own: a second control plane in this file, with its
// own kwok nodes, runs the CRD and the operator install, as CloudNativePG's version matrix does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane } from './support/control-plane.js';
import { ensureTestBinaries, findRepoRoot } from './support/testbin.js';
import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  instanceRef,
  installOperatorCrd,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { InstanceObject } from '../../operator/instance-reconciler.js';

const repoRoot = findRepoRoot(process.cwd());
let controlPlane: ControlPlane | undefined;
let dir = '';
const previousKubeconfig = process.env.KUBECONFIG;

// Before the suite's hooks: they install the CRD and the operator identity into this cluster.
beforeAll(async () => {
  const binDir = await ensureTestBinaries(repoRoot, { oldest: true });
  dir = mkdtempSync(join(tmpdir(), 'rosterhub-oldest-k8s-'));
  controlPlane = new ControlPlane({ binDir, repoRoot, dir, tiedToThisProcess: true });
  const state = await controlPlane.start();
  process.env.KUBECONFIG = state.kubeconfig;
}, 300_000);

const suite = useOperatorSuite('oldest-k8s');

afterAll(async () => {
  process.env.KUBECONFIG = previousKubeconfig;
  await controlPlane?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the oldest supported Kubernetes', () => {
  it('When the CRD is installed, then the API server accepts it with every validation rule, and the rules hold', async () => {
    const version = await admin().request<{ gitVersion: string }>('GET', '/version');
    expect(version.gitVersion).toMatch(/^v1\.\d+\./);
    await installOperatorCrd();
    const namespace = await createDistrictNamespace('oldest-crd');
    const created = await applyInstance(districtInstance('district', namespace));
    expect(created.metadata.uid).toBeDefined();
    await admin().request(
      'PATCH',
      `/apis/rosterhub.io/v1alpha1/namespaces/${namespace}/rosterhubinstances/district/status`,
      { body: { status: { currentVersion: '1.4.2' } }, contentType: 'application/merge-patch+json' },
    );
    const patch = (spec: Record<string, unknown>) =>
      admin().mergePatch<InstanceObject>(
        instanceRef(namespace, 'district'),
        { spec },
        'rosterhub-cluster-tests',
      );
    await expect(patch({ version: '1.4.1' })).rejects.toThrow(
      'spec.version may not go below status.currentVersion',
    );
    await expect(patch({ version: '1.4.2-rc.1' })).rejects.toThrow('spec.version may not go below');
    await expect(patch({ version: '1.10.0' })).resolves.toBeDefined();
    await expect(patch({ database: { storage: { size: '1Gi' } } })).rejects.toThrow('size may not shrink');
  });

  it('When the operator runs under its own RBAC, then a district becomes Ready on the kwok nodes', async () => {
    const namespace = await createDistrictNamespace('oldest-install');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    expect(ready.status?.phase).toBe('Ready');
    for (const type of ['ApiReady', 'WorkerReady', 'DatabaseReady', 'CacheReady', 'Reconciled']) {
      expect({ type, status: conditionOf(ready, type)?.status }).toEqual({ type, status: 'True' });
    }
    await waitFor(async () => (await admin().list('v1', 'Pod', namespace)).items.length >= 5);
  });
});
