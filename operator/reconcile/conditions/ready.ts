import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { condition, type StatusInputs } from './inputs.js';

/** One part the Ready condition sums up, by its condition. */
export interface Part {
  name: string;
  condition: DesiredCondition;
}

/** Ready: every part is ready, everything applied, no failed upgrade; else what is not, and why. */
export function ready(
  inputs: StatusInputs,
  parts: readonly Part[],
  servingVersion: string | undefined,
): DesiredCondition {
  const notReady = parts.filter((part) => part.condition.status !== 'True');
  const failedUpgrade = inputs.plan.upgrade.state === 'failed' && !inputs.plan.upgrade.retrying;
  if (notReady.length === 0 && !inputs.applyFailure && !failedUpgrade) {
    return condition(
      ConditionType.Ready,
      true,
      Reason.AllComponentsReady,
      `version ${servingVersion ?? inputs.instance.spec.version} is serving`,
      inputs.generation,
    );
  }
  return condition(
    ConditionType.Ready,
    false,
    Reason.ComponentsNotReady,
    [
      ...notReady.map((part) => `${part.name}: ${part.condition.message}`),
      ...(inputs.applyFailure ? [`apply: ${inputs.applyFailure}`] : []),
      ...(failedUpgrade ? ['the upgrade failed (see Upgrading)'] : []),
    ].join('; '),
    inputs.generation,
  );
}
