// Warm synthesis time of a whole district (every object), against a plain cdk8s-plus-27 chart
// of 8 objects measured in the same run, and how time and heap behave over 1,000 instances
// synthesized in one process (what an operator reconciling many districts does).
import { App, Chart, Cron } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { synthesize, type Platform } from '../cdk8s/index.js';
import { percentile, reportResult, round } from './lib/result.js';

const WARMUP = 300;
const SAMPLES = 1000;
const INSTANCES = 1000;

function district(name: string, namespace: string, platform: Platform): Record<string, unknown> {
  const managed = platform !== 'kind';
  return {
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name, namespace },
    spec: {
      version: '1.4.2',
      platform,
      api: { ingress: { host: `${name}.example.org`, tls: { secretName: `${name}-tls` } } },
      database: { mode: managed ? 'managed' : 'inCluster' },
      redis: { mode: managed ? 'managed' : 'inCluster' },
      monitoring: { dashboards: { enabled: true } },
      azure: { location: 'eastus2', resourceGroup: 'rg' },
      aws: { dbSubnetGroupName: 'private', cacheSubnetGroupName: 'private' },
    },
  };
}

/** The baseline: 8 objects with cdk8s-plus-27's own defaults. */
function plainPlusChart(): unknown[] {
  const chart = new Chart(new App(), 'baseline', { namespace: 'bench', disableResourceNameHashes: true });
  const account = new kplus.ServiceAccount(chart, 'account', { automountToken: false });
  new kplus.ConfigMap(chart, 'config', { data: { LOG_LEVEL: 'info' } });
  const api = new kplus.Deployment(chart, 'api', {
    serviceAccount: account,
    containers: [{ image: 'ghcr.io/rosterhub/rosterhub:1.4.2', args: ['api'], portNumber: 3000 }],
  });
  api.exposeViaService({ ports: [{ port: 80, targetPort: 3000 }] });
  const worker = new kplus.Deployment(chart, 'worker', {
    serviceAccount: account,
    containers: [{ image: 'ghcr.io/rosterhub/rosterhub:1.4.2', args: ['worker'] }],
  });
  new kplus.HorizontalPodAutoscaler(chart, 'hpa', { target: worker, minReplicas: 1, maxReplicas: 4 });
  new kplus.Job(chart, 'migrate', {
    serviceAccount: account,
    containers: [{ image: 'ghcr.io/rosterhub/rosterhub:1.4.2', args: ['migrate'] }],
  });
  new kplus.CronJob(chart, 'backup', {
    serviceAccount: account,
    schedule: Cron.daily(),
    containers: [{ image: 'ghcr.io/rosterhub/rosterhub:1.4.2', args: ['backup'] }],
  });
  return chart.toJson() as unknown[];
}

/** Median and p95 in ms of `run`, after a warm-up. */
function measure(run: () => unknown): { median: number; p95: number; objects: number } {
  let objects = 0;
  for (let i = 0; i < WARMUP; i += 1) objects = (run() as unknown[]).length;
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: round(percentile(times, 50)), p95: round(percentile(times, 95)), objects };
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

const baseline = measure(plainPlusChart);
const perPlatform = Object.fromEntries(
  (['kind', 'aks', 'eks'] as const).map((platform) => {
    const input = district('district-a', 'districts', platform);
    return [platform, measure(() => synthesize(input))];
  }),
) as Record<Platform, { median: number; p95: number; objects: number }>;

// 1,000 distinct instances in one process, results kept (as an operator's desired-state cache would).
collect();
const heapBefore = process.memoryUsage().heapUsed;
const kept: unknown[] = [];
const batchMs: number[] = [];
const runStart = performance.now();
for (let batch = 0; batch < INSTANCES / 100; batch += 1) {
  const start = performance.now();
  for (let i = 0; i < 100; i += 1) {
    const n = batch * 100 + i;
    const platform = (['kind', 'aks', 'eks'] as const)[n % 3]!;
    kept.push(synthesize(district(`district-${n}`, `ns-${n % 50}`, platform)));
  }
  batchMs.push((performance.now() - start) / 100);
}
const runMs = performance.now() - runStart;
collect();
const heapWithResults = process.memoryUsage().heapUsed;
const keptObjects = kept.reduce<number>((sum, objects) => sum + (objects as unknown[]).length, 0);
kept.length = 0;
collect();
const heapAfterRelease = process.memoryUsage().heapUsed;

const value = Math.max(...Object.values(perPlatform).map((result) => result.median));
reportResult({
  name: 'cdk8s-synth',
  value,
  unit: 'ms',
  baseline: baseline.median,
  goal: 'warm synthesis of a whole district (slowest platform, median) <= 5 ms',
  pass: value <= 5,
  details: {
    baselineObjects: baseline.objects,
    baselineP95Ms: baseline.p95,
    ...Object.fromEntries(
      Object.entries(perPlatform).flatMap(([platform, result]) => [
        [`${platform}MedianMs`, result.median],
        [`${platform}P95Ms`, result.p95],
        [`${platform}Objects`, result.objects],
      ]),
    ),
    instances: INSTANCES,
    msPerInstanceFirst100: round(batchMs[0]!),
    msPerInstanceLast100: round(batchMs.at(-1)!),
    msPerInstanceOverall: round(runMs / INSTANCES),
    objectsKept: keptObjects,
    heapBeforeMiB: mib(heapBefore),
    heapWithResultsMiB: mib(heapWithResults),
    heapPerInstanceKiB: round((heapWithResults - heapBefore) / INSTANCES / 1024, 1),
    heapAfterReleaseMiB: mib(heapAfterRelease),
  },
});
