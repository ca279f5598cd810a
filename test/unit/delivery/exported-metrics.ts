import { readdirSync, readFileSync, statSync } from 'node:fs';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { repoRoot } from './helm.js';

/** Folders whose processes serve /metrics (API, worker, operator and what they share). */
const sourceFolders = ['api', 'operator', 'lib', 'cli', 'worker'];

function sourceFiles(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = `${folder}/${entry}`;
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const seriesOf = (name: string, type: string): string[] =>
  type === 'histogram'
    ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`]
    : type === 'summary'
      ? [name, `${name}_sum`, `${name}_count`]
      : [name];

/**
 * Series of Kubernetes itself that dashboards and alerts may use: kube-state-metrics (backup
 * CronJobs) and the kubelet's cAdvisor (the worker, which serves no /metrics).
 */
export const kubernetesMetrics = [
  'kube_cronjob_status_last_successful_time',
  'kube_cronjob_created',
  'container_memory_working_set_bytes',
  'container_cpu_usage_seconds_total',
];

/**
 * Every series name the code exports: prom-client metrics defined in the source (`new Counter({
 * name: '…' })` and friends), prom-client's default metrics where `collectDefaultMetrics` is
 * called, and BullMQ's queue metrics where `exportPrometheusMetrics` is called.
 */
export async function exportedMetricNames(): Promise<Set<string>> {
  const names = new Set<string>();
  const sources = sourceFolders
    .flatMap((folder) => sourceFiles(`${repoRoot}${folder}`))
    .map((file) => readFileSync(file, 'utf8'));
  const definition =
    /new (Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*['"]([a-zA-Z_:][a-zA-Z0-9_:]*)['"]/g;
  for (const source of sources) {
    for (const match of source.matchAll(definition)) {
      for (const series of seriesOf(match[2]!, match[1]!.toLowerCase())) names.add(series);
    }
  }
  if (sources.some((source) => source.includes('collectDefaultMetrics('))) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    for (const metric of await registry.getMetricsAsJSON()) {
      for (const series of seriesOf(metric.name, String(metric.type))) names.add(series);
    }
  }
  if (sources.some((source) => source.includes('exportPrometheusMetrics('))) {
    const bullmq = readFileSync(`${repoRoot}node_modules/bullmq/dist/esm/classes/queue-getters.js`, 'utf8');
    for (const match of bullmq.matchAll(/# TYPE ([a-z_]+) /g)) names.add(match[1]!);
  }
  return names;
}

const keywords = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/** The metric names a PromQL expression (with Grafana variables) selects. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![a-zA-Z0-9_:]|\s*\()/g)) {
    const name = match[1]!;
    if (!keywords.has(name) && !/^(inf|nan)$/i.test(name)) names.add(name);
  }
  return [...names];
}

/** The metric a Grafana `label_values(metric{…}, label)` variable query reads, if any. */
export function metricOfLabelValues(query: string): string | undefined {
  return /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*,/.exec(query)?.[1];
}
