import { labelKeys } from '../../cdk8s/names.js';
import { ConditionType } from '../../operator/conditions.js';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** What the status command reads of a RosterHubInstance. */
export interface InstanceObject {
  metadata: { name: string; namespace?: string; generation?: number };
  spec: { version?: string; paused?: boolean };
  status?: {
    phase?: string;
    currentVersion?: string;
    observedGeneration?: number;
    lastSuccessfulBackup?: string;
    conditions?: Condition[];
    endpoints?: { api?: string; ingress?: string };
  };
}

/** What it reads of a Pod. */
export interface PodObject {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: {
    phase?: string;
    containerStatuses?: {
      ready: boolean;
      restartCount: number;
      state?: Record<string, { reason?: string }>;
    }[];
  };
}

/** The last import, as `rosterhub imports list --limit 1` prints it. */
export interface ImportSummary {
  id: string;
  state: string;
  outcome: string | null;
  dryRun: boolean;
  error: string | null;
  counts?: Record<string, unknown>;
  timings: { createdAt: string; finishedAt: string | null; seconds: number | null };
}

function table(rows: string[][], indent = '    '): string[] {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    `${indent}${row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd(),
  );
}

function podLine(pod: PodObject): string[] {
  const containers = pod.status?.containerStatuses ?? [];
  const ready = containers.filter((c) => c.ready).length;
  const restarts = containers.reduce((sum, c) => sum + c.restartCount, 0);
  const waiting = containers
    .flatMap((c) => Object.values(c.state ?? {}).map((state) => state.reason))
    .find((reason) => reason !== undefined && reason !== '');
  const phase = pod.metadata.deletionTimestamp ? 'Terminating' : (waiting ?? pod.status?.phase ?? 'Unknown');
  return [
    pod.metadata.name,
    pod.metadata.labels?.[labelKeys.component] ?? '',
    phase,
    `ready ${ready}/${containers.length}`,
    `restarts ${restarts}`,
  ];
}

function importLine(job: ImportSummary | undefined | null): string {
  if (job === undefined) return '(not read)';
  if (job === null) return 'none yet';
  const when = job.timings.finishedAt ?? job.timings.createdAt;
  const kind = job.dryRun ? 'dry run ' : '';
  const outcome = job.outcome ? ` (${job.outcome})` : '';
  const error = job.error ? `: ${job.error}` : '';
  return `${kind}${job.state}${outcome} at ${when}, id ${job.id}${error}`;
}

/**
 * `kubectl rosterhub status`: versions, phase, every condition with its reason and message,
 * the Pods and their readiness, the last backup and import, the endpoints.
 */
export function renderStatus(
  instance: InstanceObject,
  pods: PodObject[],
  lastImport: ImportSummary | undefined | null,
): string {
  const status = instance.status ?? {};
  const conditions = status.conditions ?? [];
  const backup = conditions.find((c) => c.type === ConditionType.BackupScheduled);
  const stale =
    status.observedGeneration !== undefined &&
    instance.metadata.generation !== undefined &&
    status.observedGeneration < instance.metadata.generation;
  const lines = [
    `${instance.metadata.name} (namespace ${instance.metadata.namespace ?? ''})`,
    ...table(
      [
        ['version', `spec ${instance.spec.version ?? '?'}, serving ${status.currentVersion ?? 'none yet'}`],
        [
          'phase',
          `${status.phase ?? 'not reconciled yet'}${instance.spec.paused ? ' (paused)' : ''}${stale ? ' (the latest spec is not acted on yet)' : ''}`,
        ],
        ['api', status.endpoints?.api ?? '-'],
        ['ingress', status.endpoints?.ingress ?? '-'],
        [
          'last backup',
          `${status.lastSuccessfulBackup ?? 'none yet'}${backup ? ` (${backup.type} ${backup.status}: ${backup.reason ?? ''})` : ''}`,
        ],
        ['last import', importLine(lastImport)],
      ],
      '  ',
    ),
    '  conditions',
    ...(conditions.length > 0
      ? table(conditions.map((c) => [c.type, c.status, c.reason ?? '', c.message ?? '']))
      : ['    none yet']),
    '  pods',
    ...(pods.length > 0
      ? table([...pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).map(podLine))
      : ['    none']),
  ];
  return `${lines.join('\n')}\n`;
}
