/** Server-side apply field manager of every object the operator writes. */
export const FIELD_MANAGER = 'rosterhub-operator';
/** Field manager of the operator's status writes, kept apart from the spec's. */
export const STATUS_FIELD_MANAGER = 'rosterhub-operator-status';
/** Annotation that pauses reconciliation of one instance. */
export const PAUSE_ANNOTATION = 'rosterhub.io/reconcile';
export const PAUSE_VALUE = 'paused';
