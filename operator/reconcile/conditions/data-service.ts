import { labelKeys, type RosterHubInstance } from '../../../cdk8s/index.js';
import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { kindLabel, type KubeObject } from '../../kube/kube-client.js';
import type { MissingSecret } from '../../secrets.js';
import { claimHealth, statefulSetHealth, type Health } from '../component-health.js';
import type { ObservedChildren } from '../plan.js';
import { condition, type StatusInputs } from './inputs.js';
import { missingSecretsMessage, unwrittenSecrets } from './secret-messages.js';

/** What the health of PostgreSQL or Redis is judged from. */
export interface DataServiceInputs {
  instance: RosterHubInstance;
  /** The objects planned for the instance. */
  objects: readonly KubeObject[];
  observed: ObservedChildren;
  missingSecrets: readonly MissingSecret[];
  notServed: ReadonlySet<string>;
}

export type DataService = 'postgres' | 'redis';

const KINDS_TO_IGNORE = new Set(['Service', 'Secret', 'ConfigMap', 'NetworkPolicy', 'PersistentVolumeClaim']);

const labels: Record<DataService, string> = { postgres: 'PostgreSQL', redis: 'Redis' };

/**
 * Health of PostgreSQL or Redis. A missing Secret a person provides needs that person at once.
 * A missing Secret a cloud provisioner writes is expected while the component's managed objects
 * are being provisioned (ClaimPending); only once they report ready is its absence a fault. A
 * Secret that exists without some required keys counts as missing, by the same rules (the ACK
 * FieldExport's Secret exists, empty, from the first apply on).
 */
export function dataServiceHealth(
  inputs: DataServiceInputs,
  component: DataService,
): Health & { reason: string } {
  const { objects: planned, observed, missingSecrets, notServed } = inputs;
  const label = labels[component];
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
  const objects = planned.filter(
    (object) =>
      object.metadata.labels?.[labelKeys.component] === component && !KINDS_TO_IGNORE.has(object.kind),
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

const dataServiceInputs = (inputs: StatusInputs): DataServiceInputs => ({
  ...inputs,
  objects: inputs.plan.objects,
});

function dataServiceCondition(type: string, health: Health & { reason: string }, generation: number) {
  return condition(type, health.ready, health.reason, health.message, generation);
}

/** DatabaseReady: PostgreSQL's Secrets, its server (StatefulSet revision or cloud claims). */
export function databaseReady(inputs: StatusInputs): DesiredCondition {
  return dataServiceCondition(
    ConditionType.DatabaseReady,
    dataServiceHealth(dataServiceInputs(inputs), 'postgres'),
    inputs.generation,
  );
}

/** CacheReady: Redis's Secrets, its server (StatefulSet revision or cloud claims). */
export function cacheReady(inputs: StatusInputs): DesiredCondition {
  return dataServiceCondition(
    ConditionType.CacheReady,
    dataServiceHealth(dataServiceInputs(inputs), 'redis'),
    inputs.generation,
  );
}
