/** One reason a RosterHubInstance is invalid, naming the field (`spec.api.replicas`). */
export interface SpecIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown by `validateInstance` and `synthesize` with every issue found, not only the first. */
export class InstanceValidationError extends Error {
  /** Stable code for callers that map errors (the operator sets it as a condition reason). */
  readonly code = 'INSTANCE.INVALID';

  constructor(readonly issues: readonly SpecIssue[]) {
    super(
      `invalid RosterHubInstance:\n${issues.map((issue) => `  ${issue.path || '(document)'}: ${issue.message}`).join('\n')}`,
    );
    this.name = 'InstanceValidationError';
  }
}
