// What the operator cluster tests (and bench/operator-*.bench.ts) share: the CRD installed as
// admin, the operator's least-privilege identity, restricted district namespaces, instances,
// and the operator itself, in this process or as a child process.
import type { KubeConfig } from '@kubernetes/client-node';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { rosterHubInstanceApi, rosterHubInstanceApiVersion } from '../../cdk8s/index.js';
import { parseQuantity } from '../../cdk8s/quantity.js';
import { createLogger } from '../../lib/logging/logger.js';
import { findCondition } from '../../operator/conditions.js';
import { loadOperatorConfig, type OperatorConfig } from '../../operator/config.js';
import { rosterHubInstanceCrd } from '../../operator/crd.js';
import type { InstanceObject } from '../../operator/instance-reconciler.js';
import { connectionFromKubeConfig } from '../../operator/kube/connection.js';
import { KubeApiError, KubeClient, type KubeObject } from '../../operator/kube/kube-client.js';
import { Operator } from '../../operator/operator.js';
import { clusterScopedRules, leaderElectionRules, operatorClusterRules } from '../../operator/rbac.js';
import {
  adminKubeConfig,
  createTestNamespace,
  kubeconfigFileFor,
  kubeconfigFor,
  waitFor,
} from './support/cluster.js';
import { MemoryCgroup } from './support/memory-cgroup.js';
import { freePorts } from './support/network.js';
import { findRepoRoot } from './support/testbin.js';

// findRepoRoot, not `../..`: the benchmarks run this file compiled, from dist/test/cluster/.
const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** Raw JSON access as cluster admin (what a person with kubectl does). */
export const admin = (): KubeClient => new KubeClient(connectionFromKubeConfig(adminKubeConfig()));

/** Pod Security "restricted", enforced: what a district namespace gets. */
export const restrictedNamespaceLabels = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

const CRD_NAME = `${rosterHubInstanceApi.plural}.${rosterHubInstanceApi.group}`;

/** `rosterhub crd | kubectl apply --server-side -f -`, as admin; waits until the CRD is Established. */
export async function installOperatorCrd(): Promise<void> {
  const client = admin();
  await client.apply(rosterHubInstanceCrd() as KubeObject, 'rosterhub-cluster-tests');
  await waitFor(async () => {
    const crd = await client.get('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, CRD_NAME);
    const conditions = (crd?.status as { conditions?: { type: string; status: string }[] } | undefined)
      ?.conditions;
    return conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
  });
}

/** The operator's own service account, with exactly the RBAC the Helm chart would grant. */
export interface OperatorIdentity {
  namespace: string;
  serviceAccount: string;
  kubeConfig(): Promise<KubeConfig>;
  kubeconfigFile(): Promise<string>;
  /** Removes the cluster-wide ClusterRole and binding (the namespace goes with the cluster). */
  remove(): Promise<void>;
}

/**
 * A namespace for the operator, a ServiceAccount, a ClusterRole from `operatorClusterRules()`
 * bound to it cluster-wide, and a Role from `leaderElectionRules()` in its own namespace.
 */
export async function createOperatorIdentity(prefix: string): Promise<OperatorIdentity> {
  const client = admin();
  const namespace = await createTestNamespace(`${prefix}-operator`);
  const serviceAccount = 'rosterhub-operator';
  const clusterRole = `rosterhub-operator-${namespace}`;
  const subjects = [{ kind: 'ServiceAccount', name: serviceAccount, namespace }];
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterRole },
      // bound cluster-wide: the namespaced rules and the cluster-scoped ones in one role
      rules: [...operatorClusterRules(), ...clusterScopedRules()],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterRole },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole },
      subjects,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'rosterhub-operator-leader-election', namespace },
      rules: leaderElectionRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'rosterhub-operator-leader-election', namespace },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'rosterhub-operator-leader-election',
      },
      subjects,
    },
  ];
  for (const object of objects) await client.apply(object, 'rosterhub-cluster-tests');
  return {
    namespace,
    serviceAccount,
    kubeConfig: () => kubeconfigFor(namespace, serviceAccount),
    kubeconfigFile: () => kubeconfigFileFor(namespace, serviceAccount),
    async remove() {
      for (const kind of ['ClusterRoleBinding', 'ClusterRole']) {
        await client.delete({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind,
          metadata: { name: clusterRole },
        });
      }
    },
  };
}

/** A namespace for districts, enforcing Pod Security "restricted". */
export function createDistrictNamespace(prefix: string): Promise<string> {
  return createTestNamespace(prefix, restrictedNamespaceLabels);
}

/** The golden kind example (test/unit/cdk8s/golden/kind.instance.yaml) under another name and namespace. */
export function goldenKindInstance(name: string, namespace: string): InstanceObject {
  const golden = parse(
    readFileSync(join(repoRoot, 'test', 'unit', 'cdk8s', 'golden', 'kind.instance.yaml'), 'utf8'),
  ) as InstanceObject;
  return { ...golden, metadata: { name, namespace } };
}

/** A small kind district: in-cluster data services, backups on a volume, no ServiceMonitor unless asked. */
export function districtInstance(
  name: string,
  namespace: string,
  spec: Record<string, unknown> = {},
): InstanceObject {
  return {
    apiVersion: rosterHubInstanceApiVersion,
    kind: rosterHubInstanceApi.kind,
    metadata: { name, namespace },
    spec: {
      version: '1.4.2',
      platform: 'kind',
      monitoring: { serviceMonitor: { enabled: false } },
      ...spec,
    },
  };
}

/** Creates (or updates) an instance as admin, by server-side apply. */
export async function applyInstance(instance: InstanceObject): Promise<InstanceObject> {
  return admin().apply<InstanceObject>(instance, 'rosterhub-cluster-tests');
}

/** JSON merge patch of an instance, as admin (`kubectl patch --type merge`). */
export function patchInstance(namespace: string, name: string, patch: unknown): Promise<InstanceObject> {
  return admin().mergePatch<InstanceObject>(instanceRef(namespace, name), patch, 'rosterhub-cluster-tests');
}

export function readInstance(namespace: string, name: string): Promise<InstanceObject | undefined> {
  return admin().get<InstanceObject>(rosterHubInstanceApiVersion, rosterHubInstanceApi.kind, namespace, name);
}

export function instanceRef(
  namespace: string,
  name: string,
): Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'> {
  return {
    apiVersion: rosterHubInstanceApiVersion,
    kind: rosterHubInstanceApi.kind,
    metadata: { name, namespace },
  };
}

/** The condition of an instance, as `kubectl get rhi -o jsonpath` would show it. */
export function conditionOf(instance: InstanceObject | undefined, type: string) {
  return findCondition(instance?.status?.conditions, type);
}

/**
 * `kubectl wait --for=condition=<type>[=<status>] rhi/<name>`, optionally also for a reason;
 * the condition must describe the current generation. Returns the instance.
 */
export function waitForCondition(
  namespace: string,
  name: string,
  type: string,
  status: 'True' | 'False' = 'True',
  reason?: string,
): Promise<InstanceObject> {
  return waitFor(async () => {
    const instance = await readInstance(namespace, name);
    const condition = conditionOf(instance, type);
    return (
      instance !== undefined &&
      condition?.status === status &&
      (reason === undefined || condition.reason === reason) &&
      condition.observedGeneration === instance.metadata.generation &&
      instance
    );
  });
}

/** Objects of one kind in a namespace, by label selector, as admin. */
export async function listObjects(
  apiVersion: string,
  kind: string,
  namespace: string,
  labelSelector?: string,
): Promise<KubeObject[]> {
  // List items carry no apiVersion and kind; put them back.
  return (await admin().list<KubeObject>(apiVersion, kind, namespace, labelSelector)).items.map((item) => ({
    ...item,
    apiVersion,
    kind,
  }));
}

/** Every object of an instance, of the kinds the operator creates. */
export const instanceSelector = (name: string): string => `app.kubernetes.io/instance=${name}`;

/** An object as admin sees it, or undefined. */
export function getObject(
  apiVersion: string,
  kind: string,
  namespace: string,
  name: string,
): Promise<KubeObject | undefined> {
  return admin().get(apiVersion, kind, namespace, name);
}

/** `spec.replicas` of a Deployment, as admin. */
export async function replicasOf(namespace: string, name: string): Promise<number | undefined> {
  return (
    (await getObject('apps/v1', 'Deployment', namespace, name))?.spec as { replicas?: number } | undefined
  )?.replicas;
}

export function deleteObject(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
  return admin().delete(object);
}

/** Deletes an instance as admin (`kubectl delete rhi/<name>`, background propagation). */
export function deleteInstance(namespace: string, name: string): Promise<void> {
  return admin().delete(instanceRef(namespace, name));
}

/** Options of an operator started by a test. */
export interface OperatorOptions {
  /** Namespaces to watch (the tests never let an operator watch everything). */
  namespaces: string[];
  resyncSeconds?: number;
  leaderElect?: boolean;
  workers?: number;
  /** Lease name (default `rosterhub-operator`); tests that kill leaders use their own. */
  leaseName?: string;
  /**
   * As a person runs it on a laptop: no LEADER_ELECT and no LEASE_NAMESPACE, leaving both to
   * the operator's defaults for a process outside the cluster.
   */
  asOnALaptop?: boolean;
  /** CACHE_SYNC_TIMEOUT_SECONDS (default 120). */
  cacheSyncTimeoutSeconds?: number;
  /**
   * Run the process in a memory cgroup with this limit (bytes), as its Pod's container runs:
   * Node.js then sizes its heap from the limit, and going beyond it is an OOM kill.
   */
  memoryLimitBytes?: number;
}

/** The operator container's memory limit in the chart's default values, in bytes. */
export function chartOperatorMemoryLimitBytes(): number {
  const values = parse(
    readFileSync(join(repoRoot, 'charts', 'rosterhub-operator', 'values.yaml'), 'utf8'),
  ) as {
    resources?: { limits?: { memory?: string } };
  };
  const limit = values.resources?.limits?.memory;
  const bytes = parseQuantity(limit ?? '');
  if (!Number.isFinite(bytes))
    throw new Error(`the chart's resources.limits.memory is not a quantity: ${limit}`);
  return bytes;
}

function operatorEnv(identity: OperatorIdentity, options: OperatorOptions): Record<string, string> {
  return {
    WATCH_NAMESPACES: options.namespaces.join(','),
    ...(options.asOnALaptop
      ? {}
      : { LEASE_NAMESPACE: identity.namespace, LEADER_ELECT: String(options.leaderElect ?? true) }),
    RESYNC_SECONDS: String(options.resyncSeconds ?? 300),
    OPERATOR_WORKERS: String(options.workers ?? 4),
    LEASE_NAME: options.leaseName ?? 'rosterhub-operator',
    LOG_LEVEL: 'info',
    ...(options.cacheSyncTimeoutSeconds === undefined
      ? {}
      : { CACHE_SYNC_TIMEOUT_SECONDS: String(options.cacheSyncTimeoutSeconds) }),
  };
}

/** Where operator logs go: next to the control plane's component logs. */
function operatorLogFile(label: string): string {
  const folder = join(dirname(process.env.KUBECONFIG ?? join(repoRoot, '.local')), 'logs');
  mkdirSync(folder, { recursive: true });
  return join(folder, `operator-${label}.log`);
}

/** An operator running in this process under the test identity. */
export interface InProcessOperator {
  operator: Operator;
  /** Port of /healthz, /readyz and /metrics. */
  port: number;
  logFile: string;
  /** Lost leadership (the real process would exit). */
  lostLeadership: boolean;
  stop(): Promise<void>;
}

/** Starts `new Operator(...)` in this process with the identity's kubeconfig (never admin). */
export async function startOperator(
  identity: OperatorIdentity,
  options: OperatorOptions,
): Promise<InProcessOperator> {
  const config: OperatorConfig = {
    ...loadOperatorConfig(operatorEnv(identity, options)),
    healthPort: 0,
    identity: `test-${identity.namespace}`,
  };
  const logFile = operatorLogFile(`${identity.namespace}-in-process`);
  const stream = createWriteStream(logFile, { flags: 'a' });
  const logger = createLogger({
    service: 'rosterhub-operator',
    version: 'test',
    level: 'info',
    format: 'json',
    stream,
  });
  const handle: InProcessOperator = {
    operator: undefined as unknown as Operator,
    port: 0,
    logFile,
    lostLeadership: false,
    async stop() {
      await handle.operator.stop();
      stream.end();
    },
  };
  handle.operator = new Operator(
    connectionFromKubeConfig(await identity.kubeConfig()),
    config,
    logger,
    () => {
      handle.lostLeadership = true;
    },
  );
  handle.port = await handle.operator.start();
  return handle;
}

/** GET on the operator's health server: status and body. */
export async function operatorHttp(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The value of one Prometheus sample (`name{labels}`), summed over matching lines; 0 when absent. */
export function metricValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const buildOutputs = ['api', 'cdk8s', 'cli', 'lib', 'operator'];

/** True when some source file is newer than its compiled counterpart in dist/. */
function distIsStale(): boolean {
  const stale = (folder: string): boolean =>
    readdirSync(join(repoRoot, folder), { withFileTypes: true }).some((entry) => {
      const relative = join(folder, entry.name);
      if (entry.isDirectory()) return stale(relative);
      if (!entry.name.endsWith('.ts')) return false;
      const compiled = join(repoRoot, 'dist', relative.replace(/\.ts$/, '.js'));
      return !existsSync(compiled) || statSync(compiled).mtimeMs < statSync(join(repoRoot, relative)).mtimeMs;
    });
  return buildOutputs.some(stale);
}

/** `make build` when dist/ is older than the sources, so that child processes run this code. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  const tsc = spawnSync(
    process.execPath,
    [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: repoRoot,
      encoding: 'utf8',
    },
  );
  // Exit status 2: type errors, but the files were written (another module may be mid-edit).
  if (tsc.status !== 0 && tsc.status !== 2) {
    throw new Error(`tsc -p tsconfig.build.json failed:\n${tsc.stdout}${tsc.stderr}`);
  }
}

/** `node bin/rosterhub.js operator --namespaces …` as a child process, under the test identity. */
export class OperatorProcess {
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly logFile: string;
  readonly port: number;

  private constructor(
    child: ChildProcess,
    logFile: string,
    port: number,
    private readonly cgroup: MemoryCgroup | undefined,
  ) {
    this.#child = child;
    this.logFile = logFile;
    this.port = port;
    this.#exited = once(child, 'exit').then(() => cgroup?.remove());
  }

  /** OOM kills in its memory cgroup (0 without a memory limit). */
  oomKills(): number {
    return this.cgroup?.oomKills() ?? 0;
  }

  /** Starts one replica named `name` (its Lease identity starts with it); run `ensureBuilt()` first. */
  static async start(
    identity: OperatorIdentity,
    options: OperatorOptions,
    name: string,
  ): Promise<OperatorProcess> {
    const [port = 0] = await freePorts(1);
    const logFile = operatorLogFile(`${identity.namespace}-${name}`);
    const log = createWriteStream(logFile, { flags: 'a' });
    await once(log, 'open');
    const command = [
      process.execPath,
      join(repoRoot, 'bin', 'rosterhub.js'),
      'operator',
      '--namespaces',
      options.namespaces.join(','),
    ];
    const cgroup =
      options.memoryLimitBytes === undefined
        ? undefined
        : MemoryCgroup.create(`rosterhub-operator-${identity.namespace}-${name}`, options.memoryLimitBytes);
    const [file = '', ...args] = cgroup ? cgroup.execIn(command) : command;
    const child = spawn(file, args, {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        // e.g. --heapsnapshot-signal=SIGUSR2 to look into the operator's memory
        ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
        ...operatorEnv(identity, options),
        KUBECONFIG: await identity.kubeconfigFile(),
        POD_NAME: name,
        HEALTH_PORT: String(port),
      },
      stdio: ['ignore', log, log],
    });
    return new OperatorProcess(child, logFile, port, cgroup);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get exited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** Exit code, or the signal that ended it; undefined while it runs. */
  get exit(): number | NodeJS.Signals | undefined {
    return this.#child.exitCode ?? this.#child.signalCode ?? undefined;
  }

  /** GET on its health server, or undefined while it does not answer. */
  async http(path: string): Promise<{ status: number; body: string } | undefined> {
    try {
      return await operatorHttp(this.port, path);
    } catch {
      return undefined;
    }
  }

  /** Whether it says it leads (`leader_election_master_status` 1). */
  async isLeader(): Promise<boolean> {
    const metrics = await this.http('/metrics');
    return metrics !== undefined && metricValue(metrics.body, 'leader_election_master_status') === 1;
  }

  /** Resident memory now and at its peak, in MiB (from /proc). */
  memory(): { rssMiB: number; peakMiB: number } {
    const status = readFileSync(`/proc/${this.#child.pid ?? 0}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  }

  /** Sends the signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.exited) this.#child.kill(signal);
    await this.#exited;
  }
}

/** The Lease of the operators of one identity (holder and transitions), as admin. */
export async function readLease(
  identity: OperatorIdentity,
  name = 'rosterhub-operator',
): Promise<{ holderIdentity?: string; leaseTransitions?: number } | undefined> {
  const lease = await admin().get('coordination.k8s.io/v1', 'Lease', identity.namespace, name);
  return lease?.spec as { holderIdentity?: string; leaseTransitions?: number } | undefined;
}

/** True when the API call failed with this HTTP status. */
export function isApiError(error: unknown, code: number): boolean {
  return error instanceof KubeApiError && error.code === code;
}

export const SERVICE_MONITOR_CRD = 'servicemonitors.monitoring.coreos.com';

const serviceMonitorDefinition = (): KubeObject =>
  parseAllDocuments(readFileSync(join(repoRoot, 'test', 'cluster', 'fixtures', 'cdk8s-crds.yaml'), 'utf8'))
    .map((document) => document.toJS() as KubeObject)
    .find((definition) => definition.metadata.name === SERVICE_MONITOR_CRD)!;

/** Whether the API server serves `plural` in `groupVersion` (e.g. `keda.sh/v1alpha1`, `scaledobjects`). */
export async function serves(groupVersion: string, plural: string): Promise<boolean> {
  try {
    const resources = await admin().request<{ resources: { name: string }[] }>(
      'GET',
      `/apis/${groupVersion}`,
    );
    return resources.resources.some((resource) => resource.name === plural);
  } catch (error) {
    if (isApiError(error, 404)) return false;
    throw error;
  }
}

/** Whether the API server serves monitoring.coreos.com/v1 ServiceMonitors. */
export const servesServiceMonitors = (): Promise<boolean> =>
  serves('monitoring.coreos.com/v1', 'servicemonitors');

/** The ServiceMonitor CRD (the stand-in of test/cluster/fixtures/cdk8s-crds.yaml), as admin; waits until served. */
export async function installServiceMonitorCrd(): Promise<void> {
  try {
    await admin().create(serviceMonitorDefinition(), 'rosterhub-cluster-tests');
  } catch (error) {
    if (!isApiError(error, 409)) throw error;
  }
  await waitFor(servesServiceMonitors);
}
