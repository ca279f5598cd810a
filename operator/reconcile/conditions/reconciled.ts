import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { condition, type StatusInputs } from './inputs.js';

/** Reconciled: whether every desired object is applied, and what is not. */
export function reconciled(inputs: StatusInputs): DesiredCondition {
  const { applyFailure, notServed, generation } = inputs;
  const storageRefusals = inputs.storageRefusals ?? [];
  if (applyFailure) {
    return condition(ConditionType.Reconciled, false, Reason.ReconcileFailed, applyFailure, generation);
  }
  if (storageRefusals.length > 0) {
    return condition(
      ConditionType.Reconciled,
      false,
      Reason.VolumeExpansionUnsupported,
      `everything else is applied; ${storageRefusals.join('; ')}`,
      generation,
    );
  }
  return condition(
    ConditionType.Reconciled,
    true,
    Reason.ReconcileSucceeded,
    notServed.size > 0
      ? `every object is applied except ${[...notServed].join(', ')}, whose CRD is not installed`
      : 'every object is applied',
    generation,
  );
}
