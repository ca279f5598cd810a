import type { KubeObject } from '../kube/kube-client.js';

export type JobState = 'absent' | 'running' | 'complete' | 'failed';

interface JobStatus {
  succeeded?: number;
  failed?: number;
  conditions?: { type: string; status: string; message?: string; reason?: string }[];
}

/** Where a Job stands, from its status conditions. */
export function jobState(job: KubeObject | undefined): JobState {
  if (!job) return 'absent';
  const status = (job.status ?? {}) as JobStatus;
  const condition = (type: string) =>
    status.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  if (condition('Complete') || condition('SuccessCriteriaMet')) return 'complete';
  if (condition('Failed') || condition('FailureTarget')) return 'failed';
  return 'running';
}

/** The Job's own explanation of its failure, for a condition message. */
export function jobFailure(job: KubeObject | undefined): string {
  const status = (job?.status ?? {}) as JobStatus;
  const failed = status.conditions?.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  return [failed?.reason, failed?.message].filter(Boolean).join(': ') || 'the Job failed';
}

/** When a finished Job finished (its Complete or Failed condition), in ms since the epoch. */
export function jobFinishedAt(job: KubeObject): number | undefined {
  const status = (job.status ?? {}) as JobStatus & { completionTime?: string };
  const finished = status.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  ) as { lastTransitionTime?: string } | undefined;
  const time = status.completionTime ?? finished?.lastTransitionTime;
  return time === undefined ? undefined : Date.parse(time);
}
