import type { KubeObject } from '../kube/kube-client.js';

export type MigrationState = 'absent' | 'running' | 'complete' | 'failed';

interface JobStatus {
  succeeded?: number;
  failed?: number;
  conditions?: { type: string; status: string; message?: string; reason?: string }[];
}

/** Where a migration Job stands, from its status conditions. */
export function migrationState(job: KubeObject | undefined): MigrationState {
  if (!job) return 'absent';
  const status = (job.status ?? {}) as JobStatus;
  const condition = (type: string) =>
    status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  if (condition('Complete') || condition('SuccessCriteriaMet')) return 'complete';
  if (condition('Failed') || condition('FailureTarget')) return 'failed';
  return 'running';
}

/** The Job's own explanation of its failure, for the condition message. */
export function migrationFailure(job: KubeObject | undefined): string {
  const status = (job?.status ?? {}) as JobStatus;
  const failed = status.conditions?.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  return [failed?.reason, failed?.message].filter(Boolean).join(': ') || 'the Job failed';
}
