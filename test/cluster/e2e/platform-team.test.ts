// make e2e: what a platform team does, with the real tools. helm installs the operator chart,
// the operator runs as the chart's ServiceAccount with the chart's RBAC (as `node
// bin/rosterhub.js operator`, configured by the chart's Deployment: kwok plays kubelet, so the
// Deployment's own Pods run nothing), kubectl applies two districts, upgrades one and deletes
// the other, whose data volume stays (deletionPolicy Retain).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { freePort } from '../../helpers/free-port.js';
import { createTestNamespace, kubeconfigFileFor, waitFor } from '../support/cluster.js';
import {
  ROSTERHUB_CRD,
  bestEffort,
  exists,
  handCrdToRelease,
  kubectl,
  kubectlJson,
  patchInstanceSpec,
  run,
} from '../support/kubectl.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const chart = `${repoRoot}charts/rosterhub-operator`;
const CRD = ROSTERHUB_CRD;
// The garbage collector learns of a new CRD at its next discovery sync (every 30 s).
const DELETION_TIMEOUT_MS = 120_000;

interface Instance {
  metadata: { deletionTimestamp?: string };
  status?: { phase?: string; currentVersion?: string; conditions?: { type: string; status: string }[] };
}
const instance = (namespace: string, name: string) =>
  kubectlJson('-n', namespace, 'get', 'rhi', name) as Instance;
const isReady = (i: Instance) =>
  i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

const release = `e2e-${Math.random().toString(16).slice(2, 8)}`;
const fullname = `${release}-rosterhub-operator`;
let system: string;
let districtA: string;
let districtB: string;
let operator: ChildProcess | undefined;
let operatorLog = '';

beforeAll(async () => {
  if (!existsSync(`${repoRoot}dist/cli/main.js`))
    throw new Error('dist/ is missing: run `make build` (make e2e does)');
  const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
  system = await createTestNamespace('e2e-rosterhub-system', restricted);
  districtA = await createTestNamespace('e2e-district-a', restricted);
  districtB = await createTestNamespace('e2e-district-b', restricted);
});

afterAll(async () => {
  if (operator?.exitCode === null) {
    operator.kill('SIGTERM');
    await once(operator, 'exit');
  }
  bestEffort('helm', ['uninstall', release, '-n', system, '--wait', '--timeout', '50s']);
  for (const namespace of [districtA, districtB, system]) {
    bestEffort('kubectl', ['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  }
});

describe('A platform team installs RosterHub with Helm', () => {
  it('When the chart is installed, then the operator Deployment is available and its CRD is established', () => {
    // Other cluster tests may have applied the CRD already; a platform team would hand it to
    // Helm as docs/install.md says.
    handCrdToRelease(release, system);
    run('helm', [
      'install',
      release,
      chart,
      '-n',
      system,
      '--wait',
      '--timeout',
      '50s',
      '--set',
      `watchNamespaces={${districtA},${districtB}}`,
    ]);
    kubectl('wait', '--for=condition=Established', `crd/${CRD}`, '--timeout=30s');
    const crd = kubectlJson('get', 'crd', CRD) as { metadata: { annotations: Record<string, string> } };
    expect(crd.metadata.annotations['helm.sh/resource-policy']).toBe('keep');
    const deployment = kubectlJson('-n', system, 'get', 'deployment', fullname) as {
      status: { availableReplicas?: number };
    };
    expect(deployment.status.availableReplicas).toBe(2);
    for (const namespace of [districtA, districtB]) {
      expect(exists('rolebinding', fullname, '-n', namespace)).toBe(true);
    }
    expect(exists('clusterrolebinding', fullname)).toBe(false);
  });

  it('When the operator runs with the chart’s ServiceAccount and settings, then it leads and is ready', async () => {
    const deployment = kubectlJson('-n', system, 'get', 'deployment', fullname) as {
      spec: {
        template: {
          spec: {
            containers: {
              args: string[];
              env: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
            }[];
          };
        };
      };
    };
    const container = deployment.spec.template.spec.containers[0]!;
    const env: Record<string, string> = {};
    for (const variable of container.env) {
      const field = variable.valueFrom?.fieldRef?.fieldPath;
      env[variable.name] =
        field === 'metadata.namespace'
          ? system
          : field === 'metadata.name'
            ? 'e2e-operator-0'
            : (variable.value ?? '');
    }
    const port = await freePort();
    const kubeconfig = await kubeconfigFileFor(system, fullname);
    operator = spawn(process.execPath, [`${repoRoot}bin/rosterhub.js`, ...container.args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...env,
        HEALTH_PORT: String(port),
        KUBECONFIG: kubeconfig,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    operator.stdout?.on('data', (chunk: Buffer) => (operatorLog += chunk.toString()));
    operator.stderr?.on('data', (chunk: Buffer) => (operatorLog += chunk.toString()));
    await waitFor(async () => {
      if (operator?.exitCode !== null) throw new Error(`the operator exited: ${operatorLog}`);
      const answer = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return answer?.ok ?? false;
    });
    // The operator holds the Lease the chart names, in the chart's namespace, as `<POD_NAME>_<random>`.
    const leaseName = env.LEASE_NAME ?? '';
    await waitFor(() => {
      if (!exists('lease', leaseName, '-n', system)) return Promise.resolve(false);
      const lease = kubectlJson('-n', system, 'get', 'lease', leaseName) as {
        spec: { holderIdentity?: string };
      };
      return Promise.resolve(lease.spec.holderIdentity?.startsWith('e2e-operator-0_') ?? false);
    }, 250);
  });

  it('When two districts are applied with kubectl, then both become Ready', async () => {
    const example = parse(readFileSync(`${chart}/examples/kind.yaml`, 'utf8')) as {
      metadata: Record<string, string>;
    };
    for (const [namespace, name] of [
      [districtA, 'district-a'],
      [districtB, 'district-b'],
    ] as const) {
      run('kubectl', ['-n', namespace, 'apply', '-f', '-'], stringify({ ...example, metadata: { name } }));
    }
    await waitFor(
      () =>
        Promise.resolve(
          isReady(instance(districtA, 'district-a')) && isReady(instance(districtB, 'district-b')),
        ),
      500,
    );
    expect(instance(districtA, 'district-a').status?.currentVersion).toBe('0.1.0');
    expect(operatorLog).not.toMatch(/forbidden/i);
  });

  it('When one district’s spec.version is raised, then it migrates and serves the new version', async () => {
    patchInstanceSpec(districtA, 'district-a', { version: '0.2.0' });
    const upgraded = await waitFor<Instance>(() => {
      const current = instance(districtA, 'district-a');
      return Promise.resolve(
        current.status?.currentVersion === '0.2.0' && isReady(current) ? current : false,
      );
    }, 500);
    expect(upgraded.status?.phase).toBe('Ready');
    const api = kubectlJson('-n', districtA, 'get', 'deployment', 'district-a-api') as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(api.spec.template.spec.containers[0]!.image).toMatch(/:0\.2\.0$/);
    expect(isReady(instance(districtB, 'district-b'))).toBe(true);
  });

  it(
    'When a district with deletionPolicy Retain is deleted, then its workloads go and its data volume stays',
    async () => {
      const volume = 'data-district-b-postgres-0';
      expect(exists('pvc', volume, '-n', districtB)).toBe(true);
      kubectl('-n', districtB, 'delete', 'rhi', 'district-b', '--wait=false');
      await waitFor(
        () =>
          Promise.resolve(
            !exists('rhi', 'district-b', '-n', districtB) &&
              !exists('statefulset', 'district-b-postgres', '-n', districtB) &&
              !exists('deployment', 'district-b-api', '-n', districtB),
          ),
        500,
      );
      const claim = kubectlJson('-n', districtB, 'get', 'pvc', volume) as {
        metadata: { deletionTimestamp?: string };
      };
      expect(claim.metadata.deletionTimestamp).toBeUndefined();
      expect(isReady(instance(districtA, 'district-a'))).toBe(true);
    },
    DELETION_TIMEOUT_MS,
  );

  it('When the chart is uninstalled, then the CRD and the remaining district stay', () => {
    run('helm', ['uninstall', release, '-n', system, '--wait', '--timeout', '50s']);
    expect(exists('crd', CRD)).toBe(true);
    expect(exists('rhi', 'district-a', '-n', districtA)).toBe(true);
    expect(exists('clusterrole', fullname)).toBe(false);
  });
});
