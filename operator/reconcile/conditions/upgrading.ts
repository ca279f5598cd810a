import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { RETRY_MIGRATION_ANNOTATION } from '../plan.js';
import { condition, type StatusInputs } from './inputs.js';

/** The Upgrading condition and the version that serves as a result. */
export interface UpgradeOutcome {
  upgrading: DesiredCondition;
  /** `status.currentVersion`: moves to the target only once its Deployments are available. */
  currentVersion: string | undefined;
}

/**
 * Upgrading: where the move to `spec.version` stands (waiting for the database, migrating,
 * rolling out, failed, up to date). `workloadsReady` says whether the API and worker
 * Deployments are rolled out and available.
 */
export function upgrading(inputs: StatusInputs, workloadsReady: boolean): UpgradeOutcome {
  const { plan, generation, instance } = inputs;
  const upgrade = plan.upgrade;
  const target = instance.spec.version;
  const at = (ok: boolean, reason: string, message: string, currentVersion = plan.currentVersion) => ({
    upgrading: condition(ConditionType.Upgrading, ok, reason, message, generation),
    currentVersion,
  });
  switch (upgrade.state) {
    case 'failed': {
      if (upgrade.retrying) {
        return at(
          true,
          Reason.MigrationRetrying,
          `retrying the migration to version ${target}: Job ${upgrade.job} is deleted and runs again`,
        );
      }
      const serving = upgrade.from ? `version ${upgrade.from} keeps serving` : 'nothing is serving yet';
      return at(
        false,
        Reason.MigrationFailed,
        `migration Job ${upgrade.job} to version ${target} failed (${upgrade.reason}); ${serving}. Read its logs (kubectl logs job/${upgrade.job}), then fix the problem and retry (kubectl annotate rhi ${instance.metadata.name} ${RETRY_MIGRATION_ANNOTATION}=$(date +%s) --overwrite), change spec.version, or set spec.version back${upgrade.from ? ` to ${upgrade.from}` : ''}`,
      );
    }
    case 'waitingForDatabase':
      return at(
        true,
        Reason.WaitingForDatabase,
        `the migration Job of version ${target} starts once the database is ready: ${upgrade.reason}`,
      );
    case 'installing':
    case 'migrating': {
      const from = upgrade.state === 'migrating' ? `from ${upgrade.from} ` : '';
      return at(
        true,
        Reason.MigrationRunning,
        `migrating the database ${from}to version ${target} (Job ${plan.migrationJob}); the Deployments roll when it completes`,
      );
    }
    case 'rolling':
      if (workloadsReady) return at(false, Reason.UpToDate, `version ${target} is serving`, target);
      return at(
        true,
        Reason.Progressing,
        `rolling out version ${target} (migrated)${upgrade.from ? `; version ${upgrade.from} stays current until every Pod of ${target} is available, and spec.version may still be set back to it` : ''}`,
      );
    case 'steady':
      return workloadsReady
        ? at(false, Reason.UpToDate, `version ${target} is serving`)
        : at(true, Reason.Progressing, `rolling out version ${target}`);
  }
}
