import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { condition, type StatusInputs } from './inputs.js';

/** DatabaseConnections: whether the district, at its replica bounds, fits the database's connections. */
export function databaseConnections(inputs: StatusInputs): DesiredCondition {
  const budget = inputs.plan.target.connectionBudget;
  const sharing = `${budget.apiPods} API Pods × ${budget.apiPoolPerPod}, ${budget.workerPods} worker Pods, migration, backup and a person’s psql`;
  if (budget.fits) {
    return condition(
      ConditionType.DatabaseConnections,
      true,
      Reason.WithinLimit,
      `at most ${budget.atMost} of ${budget.limit} connections at the replica bounds (${sharing})`,
      inputs.generation,
    );
  }
  return condition(
    ConditionType.DatabaseConnections,
    false,
    Reason.ConnectionLimitExceeded,
    `at the replica bounds the district opens up to ${budget.atMost} connections (${sharing}), but the database allows ${budget.limit}: lower spec.worker.maxReplicas or spec.api.replicas, choose a larger spec.database.instanceSize, or raise spec.database.maxConnections if the server allows more`,
    inputs.generation,
  );
}
