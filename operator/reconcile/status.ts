import { ConditionType, Reason, type DesiredCondition } from '../conditions.js';
import { backupScheduled } from './conditions/backup.js';
import { cacheReady, databaseReady } from './conditions/data-service.js';
import { condition, type StatusInputs } from './conditions/inputs.js';
import { monitoringReady } from './conditions/monitoring.js';
import { instanceNames } from './conditions/names.js';
import { ready } from './conditions/ready.js';
import { reconciled } from './conditions/reconciled.js';
import { upgrading } from './conditions/upgrading.js';
import { apiReady, workerReady } from './conditions/workloads.js';
import { workerAutoscaling } from './conditions/autoscaling.js';
import { databaseConnections } from './conditions/connections.js';

export type { StatusInputs } from './conditions/inputs.js';

/** Every `status.phase` of a RosterHubInstance (the CRD's enum lists them in this order). */
export const phases = [
  'Installing',
  'Upgrading',
  'Ready',
  'Degraded',
  'UpgradeFailed',
  'Error',
  'Paused',
] as const;

export type Phase = (typeof phases)[number];

/** `status` of a RosterHubInstance minus the timestamps `mergeConditions` adds. */
export interface DesiredStatus {
  observedGeneration: number;
  phase: Phase;
  currentVersion?: string;
  /** When the last backup succeeded (RFC 3339), once one has. */
  lastSuccessfulBackup?: string;
  conditions: DesiredCondition[];
  endpoints: { api: string; ingress?: string };
}

const isTrue = (c: DesiredCondition) => c.status === 'True';

/** The one-word summary of the conditions: Degraded also when it serves but needs a person. */
function phaseOf(
  inputs: StatusInputs,
  conditions: {
    upgrading: DesiredCondition;
    reconciled: DesiredCondition;
    backup: DesiredCondition;
  },
  partsReady: boolean,
  currentVersion: string | undefined,
): Phase {
  const { upgrade } = inputs.plan;
  if (upgrade.state === 'failed' && !upgrade.retrying) return 'UpgradeFailed';
  if (inputs.applyFailure) return 'Error';
  if (upgrade.state === 'installing' || (currentVersion === undefined && !partsReady)) return 'Installing';
  if (isTrue(conditions.upgrading)) return 'Upgrading';
  const backupsFailing = conditions.backup.reason === Reason.BackupFailed;
  return partsReady && isTrue(conditions.reconciled) && !backupsFailing ? 'Ready' : 'Degraded';
}

/**
 * Conditions, phase and endpoints from what was planned and what the cluster shows: one small
 * function per condition (./conditions/), composed here.
 */
export function computeStatus(inputs: StatusInputs): DesiredStatus {
  const { instance, generation } = inputs;
  const names = instanceNames(inputs);
  const parts = [
    { name: 'database', condition: databaseReady(inputs) },
    { name: 'cache', condition: cacheReady(inputs) },
    { name: 'api', condition: apiReady(inputs) },
    { name: 'worker', condition: workerReady(inputs) },
  ];
  const [database, cache, api, worker] = parts.map((part) => part.condition) as [
    DesiredCondition,
    DesiredCondition,
    DesiredCondition,
    DesiredCondition,
  ];
  const upgrade = upgrading(inputs, isTrue(api) && isTrue(worker));
  const readyCondition = ready(inputs, parts, upgrade.currentVersion);
  const reconciledCondition = reconciled(inputs);
  const backup = backupScheduled(inputs);
  const phase = phaseOf(
    inputs,
    { upgrading: upgrade.upgrading, reconciled: reconciledCondition, backup: backup.backup },
    parts.every((part) => isTrue(part.condition)),
    upgrade.currentVersion,
  );
  const ingress = instance.spec.api.ingress;
  return {
    observedGeneration: generation,
    phase,
    ...(upgrade.currentVersion ? { currentVersion: upgrade.currentVersion } : {}),
    ...(backup.lastSuccessfulBackup ? { lastSuccessfulBackup: backup.lastSuccessfulBackup } : {}),
    conditions: [
      readyCondition,
      reconciledCondition,
      database,
      databaseConnections(inputs),
      cache,
      api,
      worker,
      workerAutoscaling(inputs),
      backup.backup,
      monitoringReady(inputs),
      upgrade.upgrading,
      condition(
        ConditionType.Paused,
        false,
        Reason.ReconciliationActive,
        'the operator reconciles this instance',
        generation,
      ),
    ],
    endpoints: {
      api: `http://${names.api}.${names.namespace}.svc:80`,
      ...(ingress ? { ingress: `${ingress.tls ? 'https' : 'http'}://${ingress.host}` } : {}),
    },
  };
}
