import type { RosterHubInstance } from '../../../cdk8s/index.js';
import type { DesiredCondition } from '../../conditions.js';
import type { MissingSecret } from '../../secrets.js';
import type { ObservedChildren, Plan } from '../plan.js';

/** What every condition is computed from: what was planned and what the cluster shows. */
export interface StatusInputs {
  instance: RosterHubInstance;
  generation: number;
  plan: Plan;
  observed: ObservedChildren;
  /** Why applying failed, if it did. */
  applyFailure?: string;
  /** `Kind (apiVersion)` of desired objects whose CRD is not installed. */
  notServed: ReadonlySet<string>;
  /**
   * Secrets the user or a provisioner must provide that do not exist, and required Secrets that
   * exist without some of their keys (`lacks`).
   */
  missingSecrets: readonly MissingSecret[];
  /** Why volumes of a StatefulSet could not grow to the size the spec asks for. */
  storageRefusals?: readonly string[];
}

/** A condition of the generation being reconciled. */
export function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number,
): DesiredCondition {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}
