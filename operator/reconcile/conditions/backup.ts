import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import type { KubeObject } from '../../kube/kube-client.js';
import { jobFailure, jobFinishedAt, jobState } from '../job-state.js';
import { condition, type StatusInputs } from './inputs.js';
import { missingSecretsMessage } from './secret-messages.js';
import { instanceNames } from './names.js';

/** The BackupScheduled condition and the time of the last successful backup, if known. */
export interface BackupOutcome {
  backup: DesiredCondition;
  /** RFC 3339 (seconds), as `status.lastSuccessfulBackup`. */
  lastSuccessfulBackup?: string;
}

const seconds = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The backup Jobs the CronJob made that are still kept (its history limits), newest first. */
function finishedRuns(inputs: StatusInputs, cronJob: string): KubeObject[] {
  return (inputs.observed.list?.('batch/v1', 'Job') ?? [])
    .filter((job) =>
      job.metadata.ownerReferences?.some((ref) => ref.kind === 'CronJob' && ref.name === cronJob),
    )
    .filter((job) => jobState(job) === 'complete' || jobState(job) === 'failed')
    .sort((a, b) => (jobFinishedAt(b) ?? 0) - (jobFinishedAt(a) ?? 0));
}

/**
 * BackupScheduled: disabled, missing credentials, no CronJob yet, or how the runs went: True
 * while the last finished run succeeded (or none has run yet), False once the last one failed,
 * naming it and the last success. The last success comes from the CronJob's
 * `lastSuccessfulTime`, which outlives the Jobs its history keeps.
 */
export function backupScheduled(inputs: StatusInputs): BackupOutcome {
  const { backup } = inputs.instance.spec;
  const cronJobName = instanceNames(inputs).backupCronJob;
  const at = (ok: boolean, reason: string, message: string): DesiredCondition =>
    condition(ConditionType.BackupScheduled, ok, reason, message, inputs.generation);
  if (!backup.enabled) {
    return { backup: at(false, Reason.Disabled, 'backups are disabled (spec.backup.enabled)') };
  }
  const missing = inputs.missingSecrets.filter((secret) => secret.component === 'backup');
  if (missing.length > 0) {
    return { backup: at(false, Reason.ExternalSecretMissing, missingSecretsMessage(missing)) };
  }
  const cronJob = inputs.observed.get('batch/v1', 'CronJob', cronJobName);
  if (!cronJob) return { backup: at(false, Reason.Progressing, `CronJob ${cronJobName} does not exist yet`) };

  const runs = finishedRuns(inputs, cronJobName);
  const successes = [
    ...runs.filter((job) => jobState(job) === 'complete').map((job) => jobFinishedAt(job) ?? 0),
    Date.parse((cronJob.status as { lastSuccessfulTime?: string } | undefined)?.lastSuccessfulTime ?? ''),
  ].filter((time) => Number.isFinite(time) && time > 0);
  const lastSuccess = successes.length > 0 ? Math.max(...successes) : undefined;
  const last = lastSuccess === undefined ? {} : { lastSuccessfulBackup: seconds(lastSuccess) };
  const schedule = `CronJob ${cronJobName} runs "${backup.schedule}"`;
  const [latest] = runs;
  if (latest && jobState(latest) === 'failed') {
    const since =
      lastSuccess === undefined
        ? 'no backup has succeeded yet'
        : `the last successful backup was at ${seconds(lastSuccess)}`;
    return {
      backup: at(
        false,
        Reason.BackupFailed,
        `the last backup, Job ${latest.metadata.name}, failed (${jobFailure(latest)}); ${since}. Read its logs (kubectl logs job/${latest.metadata.name})`,
      ),
      ...last,
    };
  }
  if (lastSuccess !== undefined) {
    return {
      backup: at(
        true,
        Reason.BackupSucceeded,
        `the last backup succeeded at ${seconds(lastSuccess)}; ${schedule}`,
      ),
      ...last,
    };
  }
  return { backup: at(true, Reason.Scheduled, `${schedule}; no backup has run yet`) };
}
