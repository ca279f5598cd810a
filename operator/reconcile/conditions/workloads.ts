import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { deploymentHealth } from '../component-health.js';
import { condition, type StatusInputs } from './inputs.js';
import { instanceNames } from './names.js';

function workloadCondition(inputs: StatusInputs, type: string, deployment: string): DesiredCondition {
  const health = deploymentHealth(inputs.observed.get('apps/v1', 'Deployment', deployment), deployment);
  return condition(
    type,
    health.ready,
    health.ready ? Reason.Available : Reason.Unavailable,
    health.message,
    inputs.generation,
  );
}

/** ApiReady: the API Deployment's latest generation is rolled out and every replica available. */
export const apiReady = (inputs: StatusInputs): DesiredCondition =>
  workloadCondition(inputs, ConditionType.ApiReady, instanceNames(inputs).api);

/** WorkerReady: the same for the import worker. */
export const workerReady = (inputs: StatusInputs): DesiredCondition =>
  workloadCondition(inputs, ConditionType.WorkerReady, instanceNames(inputs).worker);
