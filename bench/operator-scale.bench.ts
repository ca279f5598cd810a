// The operator at 1,000 districts (BENCH_OPERATOR_INSTANCES) on the test control plane (etcd, kube-apiserver, KCM,
// scheduler, kwok with 12 fake nodes, the test volume provisioner), started by this benchmark:
// - cold start: operator process started with every instance waiting → all Ready, against the
//   same objects applied directly (server-side apply, no operator) → all workloads ready;
// - apply → Reconciled latency of one new instance while they all exist (p50, p99), against
//   applying that instance's objects directly;
// - write requests per minute of an idle operator (goal 0; Lease renewals counted apart),
//   against its write rate while converging;
// - the operator's RSS (goal < 256 MiB), against a standby replica (same binary, no caches).
// Both operator processes run in a memory cgroup with the chart's limit, as in their Pod.
// Each phase gets a fresh control plane. Run: make build && node dist/bench/run.js operator
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { rosterHubInstanceApi, rosterHubInstanceApiVersion, synthesizeDistrict } from '../cdk8s/index.js';
import type { InstanceObject } from '../operator/instance-reconciler.js';
import type { KubeObject } from '../operator/kube/kube-client.js';
import { adminKubeConfig, waitFor } from '../test/cluster/support/cluster.js';
import { ControlPlane } from '../test/cluster/support/control-plane.js';
import { TEST_CLUSTER_DIR_PREFIX, removeStaleTestClusters } from '../test/cluster/support/stale-clusters.js';
import { ensureTestBinaries, findRepoRoot } from '../test/cluster/support/testbin.js';
import { WriteCounter } from '../test/cluster/support/write-counter.js';
import { type AuditedWrites, serviceAccountWrites } from '../test/cluster/support/audit-log.js';
import {
  admin,
  applyInstance,
  chartOperatorMemoryLimitBytes,
  createDistrictNamespace,
  createOperatorIdentity,
  districtInstance,
  installOperatorCrd,
  metricValue,
  OperatorProcess,
  readInstance,
} from '../test/cluster/operator-fixtures.js';
import { percentile, reportResult, round } from './lib/result.js';

const INSTANCES = Number(process.env.BENCH_OPERATOR_INSTANCES ?? 1000);
const NAMESPACES = 10;
const LATENCY_SAMPLES = 30;
const IDLE_SECONDS = 60;
const RESYNC_SECONDS = 30;
/** kwok nodes hold 110 Pods each; a district runs about six (API 2, worker, PostgreSQL, Redis, migration). */
const NODES = Math.max(12, Math.ceil((INSTANCES * 7) / 100));
const APPLY_CONCURRENCY = 8;
const FIELD_MANAGER = 'bench-direct-apply';
const SETTLE_LIMIT_MS = 5 * 60_000;
const MEMORY_LIMIT_BYTES = chartOperatorMemoryLimitBytes();

const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const say = (line: string) => process.stdout.write(`[operator-scale] ${line}\n`);
const seconds = (ms: number) => round(ms / 1000, 1);

/** Starts a control plane, runs `work` against it (KUBECONFIG set), stops it. */
async function onFreshControlPlane<T>(label: string, work: (dir: string) => Promise<T>): Promise<T> {
  await removeStaleTestClusters();
  const dir = mkdtempSync(join(tmpdir(), TEST_CLUSTER_DIR_PREFIX));
  const controlPlane = new ControlPlane({
    binDir: await ensureTestBinaries(repoRoot),
    repoRoot,
    dir,
    nodes: NODES,
    tiedToThisProcess: true,
  });
  const state = await controlPlane.start();
  say(`${label}: control plane up in ${state.startupSeconds ?? 0} s (${NODES} nodes)`);
  process.env.KUBECONFIG = state.kubeconfig;
  let failed = true;
  try {
    const result = await work(dir);
    failed = false;
    return result;
  } finally {
    await controlPlane.stop();
    if (failed) {
      // the component and operator logs say why; the rest of the folder is the cluster's state
      const kept = `${dir}-logs`;
      cpSync(join(dir, 'logs'), kept, { recursive: true });
      say(`${label}: failed; logs kept in ${kept}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `task` over `items`, `concurrency` at a time. */
async function inPool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

async function districtNamespaces(prefix: string): Promise<string[]> {
  const namespaces: string[] = [];
  for (let i = 0; i < NAMESPACES; i += 1) namespaces.push(await createDistrictNamespace(`${prefix}-${i}`));
  return namespaces;
}

const instancesIn = (namespaces: string[], prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) =>
    districtInstance(`${prefix}-${String(i).padStart(3, '0')}`, namespaces[i % namespaces.length]!),
  );

/** What the operator would create, applied directly: generated Secrets, then every object. */
async function applyDirectly(instance: InstanceObject): Promise<void> {
  const client = admin();
  const district = synthesizeDistrict(instance);
  for (const secret of district.requiredSecrets.filter((required) => required.origin === 'generate')) {
    await client.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secret.name, namespace: instance.metadata.namespace },
        data: Object.fromEntries(
          secret.keys.map((key) => [
            key,
            Buffer.from(randomBytes(24).toString('base64url')).toString('base64'),
          ]),
        ),
      },
      FIELD_MANAGER,
    );
  }
  for (const object of district.objects) await client.apply(object, FIELD_MANAGER);
}

/** Deployments available and StatefulSets ready, cluster-wide: what Ready means without an operator. */
async function workloadsReady(expectedInstances: number): Promise<boolean> {
  const client = admin();
  const deployments = (await client.list<KubeObject>('apps/v1', 'Deployment')).items;
  const statefulSets = (await client.list<KubeObject>('apps/v1', 'StatefulSet')).items;
  const ready = (object: KubeObject, field: 'availableReplicas' | 'readyReplicas') =>
    ((object.status as Record<string, number> | undefined)?.[field] ?? 0) >=
    ((object.spec as { replicas?: number }).replicas ?? 1);
  return (
    deployments.length === expectedInstances * 2 &&
    statefulSets.length === expectedInstances * 2 &&
    deployments.every((deployment) => ready(deployment, 'availableReplicas')) &&
    statefulSets.every((statefulSet) => ready(statefulSet, 'readyReplicas'))
  );
}

async function instances(): Promise<InstanceObject[]> {
  return (await admin().list<InstanceObject>(rosterHubInstanceApiVersion, rosterHubInstanceApi.kind)).items;
}

const isTrue = (instance: InstanceObject, type: string) =>
  instance.status?.conditions?.some(
    (condition) =>
      condition.type === type &&
      condition.status === 'True' &&
      condition.observedGeneration === instance.metadata.generation,
  ) ?? false;

/**
 * Waits until the counter shows no new write for one converging requeue period and more, or
 * SETTLE_LIMIT_MS have gone by (then the writes of the last period are printed, and the
 * idle-writes figure below shows them).
 */
async function settle(counter: WriteCounter, writesSince: (since: Date) => AuditedWrites[]): Promise<void> {
  const started = Date.now();
  for (let last = -1; ;) {
    const periodStart = new Date();
    const { writes } = await counter.counts();
    if (writes === last) return;
    last = writes;
    await sleep(12_000);
    if (Date.now() - started > SETTLE_LIMIT_MS) {
      say(
        `still writing after ${seconds(Date.now() - started)} s: ${describeWrites(writesSince(periodStart))}`,
      );
      return;
    }
  }
}

const describeWrites = (writes: AuditedWrites[]) =>
  writes
    .slice(0, 8)
    .map(
      (write) =>
        `${write.count}× ${write.request} [${write.codes.join(',')}] e.g. ${write.examples.join(' ')}`,
    )
    .join('; ') || 'none';

/** The operator's work queue and reconcile totals, from its /metrics. */
async function workDone(operator: OperatorProcess) {
  const metrics = (await operator.http('/metrics'))?.body ?? '';
  return {
    reconciles: metricValue(metrics, 'controller_runtime_reconcile_total'),
    reconcileSeconds: metricValue(metrics, 'controller_runtime_reconcile_time_seconds_sum'),
    waits: metricValue(metrics, 'workqueue_queue_duration_seconds_count'),
    waitSeconds: metricValue(metrics, 'workqueue_queue_duration_seconds_sum'),
  };
}

function describeWork(
  before: Awaited<ReturnType<typeof workDone>>,
  after: Awaited<ReturnType<typeof workDone>>,
) {
  const reconciles = after.reconciles - before.reconciles;
  const waits = after.waits - before.waits;
  const mean = (seconds: number, count: number) => (count === 0 ? 0 : Math.round((seconds / count) * 1000));
  return (
    `${reconciles} reconciles (mean ${mean(after.reconcileSeconds - before.reconcileSeconds, reconciles)} ms), ` +
    `queue wait mean ${mean(after.waitSeconds - before.waitSeconds, waits)} ms`
  );
}

interface Baseline {
  coldStartSeconds: number;
  latencyMs: number[];
}

async function measureBaseline(): Promise<Baseline> {
  return onFreshControlPlane('baseline (direct server-side apply)', async () => {
    const namespaces = await districtNamespaces('direct');
    const started = Date.now();
    await inPool(instancesIn(namespaces, 'district', INSTANCES), APPLY_CONCURRENCY, applyDirectly);
    say(`baseline: ${INSTANCES} districts applied in ${seconds(Date.now() - started)} s`);
    await waitFor(() => workloadsReady(INSTANCES), 1000);
    const coldStartSeconds = seconds(Date.now() - started);
    say(`baseline: every workload ready after ${coldStartSeconds} s`);
    const latencyMs: number[] = [];
    for (const instance of instancesIn(namespaces, 'extra', LATENCY_SAMPLES)) {
      const begin = performance.now();
      await applyDirectly(instance);
      latencyMs.push(performance.now() - begin);
    }
    return { coldStartSeconds, latencyMs: latencyMs.sort((a, b) => a - b) };
  });
}

async function measureOperator(baseline: Baseline): Promise<void> {
  await onFreshControlPlane('operator', async (dir) => {
    await installOperatorCrd();
    const identity = await createOperatorIdentity('bench');
    const writesSince = (since: Date) =>
      serviceAccountWrites(dir, identity.namespace, identity.serviceAccount, since);
    const counter = await WriteCounter.create(adminKubeConfig(), identity.namespace, identity.serviceAccount);
    const namespaces = await districtNamespaces('district');
    await inPool(instancesIn(namespaces, 'district', INSTANCES), APPLY_CONCURRENCY, async (instance) => {
      await applyInstance(instance);
    });
    await counter.reset();

    // Cold start: the process starts with every instance waiting.
    // As in its Pod: the chart's memory limit, which Node.js sizes its heap from.
    const options = { namespaces: [], resyncSeconds: RESYNC_SECONDS, memoryLimitBytes: MEMORY_LIMIT_BYTES };
    const started = Date.now();
    const operator = await OperatorProcess.start(identity, options, 'leader');
    const alive = () => {
      if (operator.exited) {
        throw new Error(
          `the operator exited (${String(operator.exit)}, OOM kills ${operator.oomKills()}); see ${operator.logFile}`,
        );
      }
    };
    try {
      await waitFor(async () => {
        alive();
        const all = await instances();
        return all.length === INSTANCES && all.every((instance) => isTrue(instance, 'Ready'));
      }, 1000);
      const coldStartSeconds = seconds(Date.now() - started);
      const converging = await counter.counts();
      say(`operator: ${INSTANCES} instances Ready after ${coldStartSeconds} s (${converging.writes} writes)`);
      reportResult({
        name: 'operator-cold-start',
        value: coldStartSeconds,
        unit: 's',
        baseline: baseline.coldStartSeconds,
        goal: `all ${INSTANCES} instances Ready (baseline: the same objects applied directly, workloads ready)`,
        pass: true,
        details: {
          instances: INSTANCES,
          nodes: NODES,
          writes: converging.writes,
          memoryMiB: round(operator.memory().rssMiB, 1),
        },
      });
      const convergingWritesPerMinute = round(converging.writes / (coldStartSeconds / 60), 1);

      // apply → Reconciled for one more instance at a time, while the others exist.
      await settle(counter, writesSince);
      const latencyMs: number[] = [];
      const slowest: string[] = [];
      for (const instance of instancesIn(namespaces, 'extra', LATENCY_SAMPLES)) {
        const before = await workDone(operator);
        const begin = performance.now();
        await applyInstance(instance);
        await waitFor(async () => {
          alive();
          const stored = await readInstance(instance.metadata.namespace!, instance.metadata.name);
          return stored !== undefined && isTrue(stored, 'Reconciled');
        }, 10);
        const took = performance.now() - begin;
        latencyMs.push(took);
        slowest.push(`${Math.round(took)} ms: ${describeWork(before, await workDone(operator))}`);
      }
      // What the operator did meanwhile says whether a slow sample waited in the queue or in a reconcile.
      say(
        `slowest samples: ${slowest
          .sort((a, b) => parseInt(b) - parseInt(a))
          .slice(0, 3)
          .join('; ')}`,
      );
      latencyMs.sort((a, b) => a - b);
      const p50 = round(percentile(latencyMs, 50), 1);
      const p99 = round(percentile(latencyMs, 99), 1);
      reportResult({
        name: 'operator-apply-latency',
        value: p50,
        unit: 'ms',
        baseline: round(percentile(baseline.latencyMs, 50), 1),
        goal: `apply → Reconciled=True of one new instance while ${INSTANCES} exist: p50 and p99 reported, p99 < 5000 ms`,
        pass: p99 < 5000,
        details: {
          p99Ms: p99,
          baselineP99Ms: round(percentile(baseline.latencyMs, 99), 1),
          samples: LATENCY_SAMPLES,
        },
      });

      // Idle: every instance is resynced twice in the window; writes must stay at zero.
      const total = INSTANCES + LATENCY_SAMPLES;
      await waitFor(async () => {
        const all = await instances();
        return all.length === total && all.every((instance) => isTrue(instance, 'Ready'));
      }, 1000);
      await settle(counter, writesSince);
      await counter.reset();
      const idleStart = new Date();
      const reconcilesBefore = metricValue(
        (await operator.http('/metrics'))?.body ?? '',
        'controller_runtime_reconcile_total',
      );
      await sleep(IDLE_SECONDS * 1000);
      const idle = await counter.counts();
      const reconciles =
        metricValue((await operator.http('/metrics'))?.body ?? '', 'controller_runtime_reconcile_total') -
        reconcilesBefore;
      const perMinute = (count: number) => round(count / (IDLE_SECONDS / 60), 1);
      const idleWrites = writesSince(idleStart);
      if (idle.writes > 0) say(`idle writes: ${describeWrites(idleWrites)}`);
      reportResult({
        name: 'operator-idle-writes',
        value: perMinute(idle.writes),
        unit: 'writes/min',
        baseline: convergingWritesPerMinute,
        goal: '0 write requests per minute when idle (Lease renewals counted apart); baseline: writes/min while converging',
        pass: idle.writes === 0,
        ratio:
          convergingWritesPerMinute === 0 ? 0 : round(perMinute(idle.writes) / convergingWritesPerMinute),
        details: {
          instances: total,
          reconcilesInWindow: reconciles,
          leaseWritesPerMinute: perMinute(idle.leaseWrites),
          readsPerMinute: perMinute(idle.reads),
          windowSeconds: IDLE_SECONDS,
          writes: describeWrites(idleWrites),
        },
      });

      // Memory: the leader holds every cache; a standby of the same binary holds none.
      const standby = await OperatorProcess.start(identity, options, 'standby');
      try {
        await waitFor(async () => (await standby.http('/readyz'))?.status === 200);
        await sleep(5000);
        const leader = operator.memory();
        const standbyMemory = standby.memory();
        const metrics = (await operator.http('/metrics'))?.body ?? '';
        const mib = (name: string) => round(metricValue(metrics, name) / 2 ** 20, 1);
        reportResult({
          name: 'operator-rss',
          value: round(leader.peakMiB, 1),
          unit: 'MiB',
          baseline: round(standbyMemory.peakMiB, 1),
          goal: `peak RSS of the leader with ${total} instances, cold start included, < 256 MiB, in a memory cgroup of the chart's limit (baseline: a standby replica, no caches)`,
          pass: leader.peakMiB < 256 && operator.oomKills() === 0,
          details: {
            memoryLimitMiB: round(MEMORY_LIMIT_BYTES / 2 ** 20, 1),
            oomKills: operator.oomKills(),
            rssMiB: round(leader.rssMiB, 1),
            heapUsedMiB: mib('nodejs_heap_size_used_bytes'),
            heapTotalMiB: mib('nodejs_heap_size_total_bytes'),
            instances: total,
          },
        });
      } finally {
        await standby.kill('SIGTERM');
      }
    } finally {
      await operator.kill('SIGTERM');
      await counter.delete().catch(() => undefined);
    }
  });
}

// waitFor's timers do not keep Node.js alive (in jest something else does); this does.
const keepAlive = setInterval(() => undefined, 60_000);
try {
  const baseline = await measureBaseline();
  await measureOperator(baseline);
} finally {
  clearInterval(keepAlive);
}
