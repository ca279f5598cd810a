/**
 * Condition types and reasons of `RosterHubInstance.status.conditions`, shaped like
 * metav1.Condition. Reasons are CamelCase and stable: alerts and runbooks match on them.
 */
export const ConditionType = {
  Ready: 'Ready',
  Reconciled: 'Reconciled',
  DatabaseReady: 'DatabaseReady',
  DatabaseConnections: 'DatabaseConnections',
  CacheReady: 'CacheReady',
  ApiReady: 'ApiReady',
  WorkerReady: 'WorkerReady',
  WorkerAutoscaling: 'WorkerAutoscaling',
  BackupScheduled: 'BackupScheduled',
  MonitoringReady: 'MonitoringReady',
  Upgrading: 'Upgrading',
  Paused: 'Paused',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

export const Reason = {
  AllComponentsReady: 'AllComponentsReady',
  ComponentsNotReady: 'ComponentsNotReady',
  ReconcileSucceeded: 'ReconcileSucceeded',
  ReconcileFailed: 'ReconcileFailed',
  InvalidSpec: 'InvalidSpec',
  Available: 'Available',
  Progressing: 'Progressing',
  Unavailable: 'Unavailable',
  ExternalSecretMissing: 'ExternalSecretMissing',
  ClaimPending: 'ClaimPending',
  Scheduled: 'Scheduled',
  Disabled: 'Disabled',
  CRDNotInstalled: 'CRDNotInstalled',
  Applied: 'Applied',
  MigrationRunning: 'MigrationRunning',
  MigrationFailed: 'MigrationFailed',
  UpgradeComplete: 'UpgradeComplete',
  UpToDate: 'UpToDate',
  ReconciliationPaused: 'ReconciliationPaused',
  ReconciliationActive: 'ReconciliationActive',
  Suspended: 'Suspended',
  /** An Event's reason: an unused volume or Secret was kept, not pruned. */
  KeptData: 'KeptData',
  VolumeExpansionUnsupported: 'VolumeExpansionUnsupported',
  WaitingForDatabase: 'WaitingForDatabase',
  CacheNotSynced: 'CacheNotSynced',
  MigrationRetrying: 'MigrationRetrying',
  BackupSucceeded: 'BackupSucceeded',
  BackupFailed: 'BackupFailed',
  MetricsAvailable: 'MetricsAvailable',
  MetricsUnavailable: 'MetricsUnavailable',
  ScalerNotReady: 'ScalerNotReady',
  WithinLimit: 'WithinLimit',
  ConnectionLimitExceeded: 'ConnectionLimitExceeded',
} as const;

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export type DesiredCondition = Omit<Condition, 'lastTransitionTime'>;

/**
 * Merges desired conditions into the current list: `lastTransitionTime` moves only when the
 * status of a condition changes, so an unchanged reconcile produces an identical list.
 */
export function mergeConditions(
  current: readonly Condition[],
  desired: readonly DesiredCondition[],
  now: Date,
): Condition[] {
  const byType = new Map(current.map((condition) => [condition.type, condition]));
  return desired.map((condition) => {
    const previous = byType.get(condition.type);
    const lastTransitionTime =
      previous?.status === condition.status
        ? previous.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { ...condition, lastTransitionTime };
  });
}

/** Conditions whose status changed between two lists: what deserves an Event. */
export function transitions(before: readonly Condition[], after: readonly Condition[]): Condition[] {
  const previous = new Map(before.map((condition) => [condition.type, condition]));
  return after.filter((condition) => {
    const old = previous.get(condition.type);
    return old?.status !== condition.status || old.reason !== condition.reason;
  });
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}
