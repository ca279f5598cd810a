import {
  defaultNamespace,
  InstanceNames,
  labelKeys,
  type RosterHubInstance,
  type SecretRequirement,
} from '../../cdk8s/index.js';
import { ConditionType, Reason, type DesiredCondition } from '../conditions.js';
import { kindLabel } from '../kube/kube-client.js';
import type { MissingSecret } from '../secrets.js';
import { claimHealth, deploymentHealth, statefulSetHealth, type Health } from './component-health.js';
import type { ObservedChildren, Plan } from './plan.js';

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
  conditions: DesiredCondition[];
  endpoints: { api: string; ingress?: string };
}

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

const DATA_OBJECT_KINDS_TO_IGNORE = new Set([
  'Service',
  'Secret',
  'ConfigMap',
  'NetworkPolicy',
  'PersistentVolumeClaim',
]);

const serviceMonitorKind = kindLabel({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' });

function condition(
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  generation: number,
): DesiredCondition {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}

const keysNeeded = (secret: SecretRequirement) =>
  secret.keys.length > 0 ? ` needs keys ${secret.keys.join(', ')}` : '';

/** "key a" or "keys a, b". */
const keyNames = (keys: readonly string[]) => `${keys.length === 1 ? 'key' : 'keys'} ${keys.join(', ')}`;

/** Why absent Secrets someone else provides keep a part from working. */
function absentSecretsMessage(secrets: readonly SecretRequirement[]): string {
  const [only] = secrets;
  if (secrets.length === 1 && only) {
    const keys = only.keys.length > 0 ? `; it${keysNeeded(only)}` : '';
    return `Secret ${only.name} (${only.purpose}) does not exist in the namespace${keys}`;
  }
  const each = secrets.map((secret) => `${secret.name} (${secret.purpose})${keysNeeded(secret)}`);
  return `Secrets ${secrets.map((secret) => secret.name).join(', ')} do not exist in the namespace: ${each.join('; ')}`;
}

/**
 * Why Secrets keep a part from working, for a condition message: the absent ones with the keys
 * they need, then each present one with exactly the keys it lacks (names only, never values).
 */
function missingSecretsMessage(secrets: readonly MissingSecret[]): string {
  const absent = secrets.filter((secret) => secret.lacks === undefined);
  return [
    ...(absent.length > 0 ? [absentSecretsMessage(absent)] : []),
    ...secrets.flatMap(({ name, purpose, lacks }) =>
      lacks === undefined ? [] : [`Secret ${name} (${purpose}) lacks ${keyNames(lacks)} (absent or empty)`],
    ),
  ].join('; ');
}

/** "Secret a", "Secrets a, b", "key host of Secret a": what a provisioner has yet to write. */
function unwrittenSecrets(secrets: readonly MissingSecret[]): string {
  const absent = secrets.filter((secret) => secret.lacks === undefined);
  return [
    ...(absent.length > 0
      ? [`${absent.length === 1 ? 'Secret' : 'Secrets'} ${absent.map((secret) => secret.name).join(', ')}`]
      : []),
    ...secrets.flatMap(({ name, lacks }) =>
      lacks === undefined ? [] : [`${keyNames(lacks)} of Secret ${name}`],
    ),
  ].join(' and ');
}

/**
 * Health of PostgreSQL or Redis. A missing Secret a person provides needs that person at once.
 * A missing Secret a cloud provisioner writes is expected while the component's managed objects
 * are being provisioned (ClaimPending); only once they report ready is its absence a fault. A
 * Secret that exists without some required keys counts as missing, by the same rules (the ACK
 * FieldExport's Secret exists, empty, from the first apply on).
 */
function dataServiceHealth(
  inputs: StatusInputs,
  component: 'postgres' | 'redis',
  label: string,
): Health & { reason: string } {
  const { plan, observed, missingSecrets, notServed } = inputs;
  const mode =
    component === 'postgres' ? inputs.instance.spec.database.mode : inputs.instance.spec.redis.mode;
  const missing = missingSecrets.filter((secret) => secret.component === component);
  const fromPeople = missing.filter((secret) => secret.origin !== 'provisioner');
  const fromProvisioner = missing.filter((secret) => secret.origin === 'provisioner');
  if (fromPeople.length > 0)
    return { ready: false, reason: Reason.ExternalSecretMissing, message: missingSecretsMessage(fromPeople) };
  if (mode === 'external' && fromProvisioner.length === 0)
    return {
      ready: true,
      reason: Reason.Available,
      message: `${label} is external; its Secret is present with every key`,
    };
  const objects = plan.objects.filter(
    (object) =>
      object.metadata.labels?.[labelKeys.component] === component &&
      !DATA_OBJECT_KINDS_TO_IGNORE.has(object.kind),
  );
  const unserved = objects.filter((object) => notServed.has(kindLabel(object)));
  if (unserved.length > 0) {
    return {
      ready: false,
      reason: Reason.CRDNotInstalled,
      message: `${unserved.map(kindLabel).join(', ')} is not installed: install the managed-service provisioner's CRDs`,
    };
  }
  const pending = objects
    .map((object) => {
      const live = observed.get(object.apiVersion, object.kind, object.metadata.name);
      return object.kind === 'StatefulSet'
        ? statefulSetHealth(live, object.metadata.name)
        : claimHealth(live, `${object.kind} ${object.metadata.name}`);
    })
    .filter((health) => !health.ready);
  if (pending.length > 0) {
    const reason = mode === 'managed' ? Reason.ClaimPending : Reason.Unavailable;
    const waitingFor = pending.map((health) => health.message).join('; ');
    return {
      ready: false,
      reason,
      message:
        fromProvisioner.length === 0
          ? waitingFor
          : `the provisioner has not written ${unwrittenSecrets(fromProvisioner)} yet (${waitingFor})`,
    };
  }
  if (fromProvisioner.length > 0) {
    const claims = objects.map((object) => `${object.kind} ${object.metadata.name}`).join(', ');
    return {
      ready: false,
      reason: Reason.ExternalSecretMissing,
      message: `${claims || 'the managed objects'} ${objects.length === 1 ? 'is' : 'are'} ready, yet ${missingSecretsMessage(fromProvisioner)}`,
    };
  }
  return { ready: true, reason: Reason.Available, message: `${label} is available` };
}

/** BackupScheduled: disabled, missing credentials, or whether the CronJob exists yet. */
function backupCondition(inputs: StatusInputs, cronJob: string): DesiredCondition {
  const { backup } = inputs.instance.spec;
  const scheduled = (ok: boolean, reason: string, message: string) =>
    condition(ConditionType.BackupScheduled, ok, reason, message, inputs.generation);
  if (!backup.enabled) return scheduled(false, Reason.Disabled, 'backups are disabled (spec.backup.enabled)');
  const missing = inputs.missingSecrets.filter((secret) => secret.component === 'backup');
  if (missing.length > 0)
    return scheduled(false, Reason.ExternalSecretMissing, missingSecretsMessage(missing));
  return inputs.observed.get('batch/v1', 'CronJob', cronJob)
    ? scheduled(true, Reason.Scheduled, `CronJob ${cronJob} runs "${backup.schedule}"`)
    : scheduled(false, Reason.Progressing, `CronJob ${cronJob} does not exist yet`);
}

/** Computes conditions, phase and endpoints from what was planned and what the cluster shows. */
export function computeStatus(inputs: StatusInputs): DesiredStatus {
  const { instance, generation, plan, observed } = inputs;
  const names = new InstanceNames(instance.metadata.name, instance.metadata.namespace ?? defaultNamespace);
  const spec = instance.spec;

  const database = dataServiceHealth(inputs, 'postgres', 'PostgreSQL');
  const cache = dataServiceHealth(inputs, 'redis', 'Redis');
  const api = deploymentHealth(observed.get('apps/v1', 'Deployment', names.api), names.api);
  const worker = deploymentHealth(observed.get('apps/v1', 'Deployment', names.worker), names.worker);

  const upgrade = plan.upgrade;
  const target = spec.version;
  let upgrading: DesiredCondition;
  if (upgrade.state === 'failed') {
    const serving = upgrade.from ? `version ${upgrade.from} keeps serving` : 'nothing is serving yet';
    upgrading = condition(
      ConditionType.Upgrading,
      false,
      Reason.MigrationFailed,
      `migration Job ${upgrade.job} to version ${target} failed (${upgrade.reason}); ${serving}. Read its logs (kubectl logs job/${upgrade.job}), then fix the problem and change spec.version, or set spec.version back${upgrade.from ? ` to ${upgrade.from}` : ''}`,
      generation,
    );
  } else if (upgrade.state === 'installing' || upgrade.state === 'migrating') {
    const from = upgrade.state === 'migrating' ? `from ${upgrade.from} ` : '';
    upgrading = condition(
      ConditionType.Upgrading,
      true,
      Reason.MigrationRunning,
      `migrating the database ${from}to version ${target} (Job ${plan.migrationJob}); the Deployments roll when it completes`,
      generation,
    );
  } else if (!api.ready || !worker.ready) {
    upgrading = condition(
      ConditionType.Upgrading,
      true,
      Reason.Progressing,
      `rolling out version ${target}`,
      generation,
    );
  } else {
    upgrading = condition(
      ConditionType.Upgrading,
      false,
      Reason.UpToDate,
      `version ${target} is serving`,
      generation,
    );
  }

  const storageRefusals = inputs.storageRefusals ?? [];
  const reconciled = inputs.applyFailure
    ? condition(ConditionType.Reconciled, false, Reason.ReconcileFailed, inputs.applyFailure, generation)
    : storageRefusals.length > 0
      ? condition(
          ConditionType.Reconciled,
          false,
          Reason.VolumeExpansionUnsupported,
          `everything else is applied; ${storageRefusals.join('; ')}`,
          generation,
        )
      : condition(
        ConditionType.Reconciled,
        true,
        Reason.ReconcileSucceeded,
        inputs.notServed.size > 0
          ? `every object is applied except ${[...inputs.notServed].join(', ')}, whose CRD is not installed`
          : 'every object is applied',
        generation,
      );

  const backup = backupCondition(inputs, names.backupCronJob);

  const serviceMonitorServed = !inputs.notServed.has(serviceMonitorKind);
  const monitoring = !spec.monitoring.serviceMonitor.enabled
    ? condition(
        ConditionType.MonitoringReady,
        false,
        Reason.Disabled,
        'the ServiceMonitor is disabled (spec.monitoring.serviceMonitor.enabled)',
        generation,
      )
    : !serviceMonitorServed
      ? condition(
          ConditionType.MonitoringReady,
          false,
          Reason.CRDNotInstalled,
          `${serviceMonitorKind} is not installed: install the Prometheus Operator CRDs, or disable spec.monitoring.serviceMonitor`,
          generation,
        )
      : observed.get('monitoring.coreos.com/v1', 'ServiceMonitor', names.api)
        ? condition(
            ConditionType.MonitoringReady,
            true,
            Reason.Applied,
            `ServiceMonitor ${names.api} is applied`,
            generation,
          )
        : condition(
            ConditionType.MonitoringReady,
            false,
            Reason.Progressing,
            `ServiceMonitor ${names.api} does not exist yet`,
            generation,
          );

  const parts: [string, Health][] = [
    ['database', database],
    ['cache', cache],
    ['api', api],
    ['worker', worker],
  ];
  const notReady = parts.filter(([, health]) => !health.ready);
  const failedUpgrade = upgrade.state === 'failed';
  const ready =
    notReady.length === 0 && !inputs.applyFailure && !failedUpgrade
      ? condition(
          ConditionType.Ready,
          true,
          Reason.AllComponentsReady,
          `version ${plan.currentVersion ?? target} is serving`,
          generation,
        )
      : condition(
          ConditionType.Ready,
          false,
          Reason.ComponentsNotReady,
          [
            ...notReady.map(([name, health]) => `${name}: ${health.message}`),
            ...(inputs.applyFailure ? [`apply: ${inputs.applyFailure}`] : []),
            ...(failedUpgrade ? ['the upgrade failed (see Upgrading)'] : []),
          ].join('; '),
          generation,
        );

  let phase: Phase;
  if (failedUpgrade) phase = 'UpgradeFailed';
  else if (inputs.applyFailure) phase = 'Error';
  else if (upgrade.state === 'installing' || (plan.currentVersion === undefined && notReady.length > 0))
    phase = 'Installing';
  else if (upgrading.status === 'True') phase = 'Upgrading';
  else phase = notReady.length === 0 && storageRefusals.length === 0 ? 'Ready' : 'Degraded';

  const ingress = spec.api.ingress;
  return {
    observedGeneration: generation,
    phase,
    ...(plan.currentVersion ? { currentVersion: plan.currentVersion } : {}),
    conditions: [
      ready,
      reconciled,
      condition(ConditionType.DatabaseReady, database.ready, database.reason, database.message, generation),
      condition(ConditionType.CacheReady, cache.ready, cache.reason, cache.message, generation),
      condition(
        ConditionType.ApiReady,
        api.ready,
        api.ready ? Reason.Available : Reason.Unavailable,
        api.message,
        generation,
      ),
      condition(
        ConditionType.WorkerReady,
        worker.ready,
        worker.ready ? Reason.Available : Reason.Unavailable,
        worker.message,
        generation,
      ),
      backup,
      monitoring,
      upgrading,
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
