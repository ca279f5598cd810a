import { defaultNamespace, rosterHubInstanceApi } from '../../cdk8s/index.js';
import type { Logger } from '../../lib/logging/logger.js';
import { ConditionType, Reason, mergeConditions, transitions, type Condition } from '../conditions.js';
import type { EventRecorder } from '../events.js';
import { STATUS_FIELD_MANAGER } from '../field-manager.js';
import { instanceKey } from '../instance-key.js';
import type { KubeClient, KubeObject } from '../kube/kube-client.js';
import type { DesiredStatus, Phase } from './status.js';

/** `status` of a RosterHubInstance as stored. */
export interface InstanceStatus {
  observedGeneration?: number;
  phase?: Phase;
  currentVersion?: string;
  lastSuccessfulBackup?: string;
  conditions?: Condition[];
  endpoints?: { api: string; ingress?: string };
}

/** A RosterHubInstance as stored: the spec plus the operator's status. */
export interface InstanceObject extends KubeObject {
  spec?: unknown;
  status?: InstanceStatus;
}

/** The instance status this process wrote last, and the instance version it was based on. */
interface Written {
  basedOn: string | undefined;
  status: InstanceStatus;
}

/**
 * Writes `status` of RosterHubInstances: only when it differs from what is stored (no write,
 * no event, no watch event when nothing changed), with `lastTransitionTime` moved only on a
 * flip, and an Event per condition that flipped. The informer may not have seen this process's
 * last write yet; the status written then counts as the stored one until it has.
 */
export class StatusWriter {
  readonly #written = new Map<string, Written>();

  constructor(
    private readonly client: KubeClient,
    private readonly events: EventRecorder,
    private readonly logger: Logger,
  ) {}

  /** The instance's status, including a write of ours its cached copy has not caught up with. */
  current(instance: InstanceObject): InstanceStatus | undefined {
    const written = this.#written.get(instanceKey(instance.metadata));
    return written && written.basedOn === instance.metadata.resourceVersion
      ? written.status
      : instance.status;
  }

  /** Merges desired conditions into the current ones and writes the result if it changed. */
  async write(instance: InstanceObject, desired: DesiredStatus): Promise<void> {
    const previous = this.current(instance)?.conditions ?? [];
    const conditions = mergeConditions(previous, desired.conditions, new Date());
    await this.patch(instance, { ...desired, conditions });
  }

  /** Writes `status` as given (its conditions already merged) if it differs from the stored one. */
  async patch(instance: InstanceObject, status: InstanceStatus): Promise<void> {
    const key = instanceKey(instance.metadata);
    const before = this.current(instance);
    if (JSON.stringify(normalize(before)) === JSON.stringify(normalize(status))) return;
    const namespace = instance.metadata.namespace ?? defaultNamespace;
    const { group, version, plural } = rosterHubInstanceApi;
    await this.client.request(
      'PATCH',
      `/apis/${group}/${version}/namespaces/${namespace}/${plural}/${instance.metadata.name}/status`,
      {
        body: { status: withRemovals(before, status) },
        contentType: 'application/merge-patch+json',
        query: { fieldManager: STATUS_FIELD_MANAGER },
      },
    );
    this.#written.set(key, { basedOn: instance.metadata.resourceVersion, status });
    const seen = new Set((before?.conditions ?? []).map((condition) => condition.type));
    for (const changed of transitions(before?.conditions ?? [], status.conditions ?? [])) {
      if (!shouldAnnounce(changed, seen.has(changed.type))) continue;
      const type =
        changed.status === 'False' &&
        changed.type !== ConditionType.Paused &&
        changed.type !== ConditionType.Upgrading
          ? 'Warning'
          : 'Normal';
      await this.events
        .record(instance, type, changed.reason, `${changed.type}=${changed.status}: ${changed.message}`)
        .catch((error: unknown) => this.logger.warn('could not record an event', { error, instance: key }));
    }
  }

  /** The instance is gone: forget what was written for it. */
  forget(key: string): void {
    this.#written.delete(key);
  }
}

/** A merge patch only adds and replaces; fields the new status drops are sent as null. */
function withRemovals(before: InstanceStatus | undefined, after: InstanceStatus): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...after };
  for (const key of Object.keys(before ?? {})) {
    if (!(key in after)) patch[key] = null;
  }
  if (before?.endpoints?.ingress !== undefined && after.endpoints && after.endpoints.ingress === undefined) {
    patch.endpoints = { ...after.endpoints, ingress: null };
  }
  return patch;
}

/** Key order and absent fields do not make a status "changed". */
function normalize(status: InstanceStatus | undefined): unknown {
  if (!status) return {};
  const conditions = [...(status.conditions ?? [])]
    .map((c) => ({ ...c }))
    .sort((a, b) => a.type.localeCompare(b.type));
  return JSON.parse(
    JSON.stringify({ ...status, conditions }, (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
          )
        : value,
    ),
  ) as unknown;
}

/** Reasons that need a person, worth an Event even on a condition's first appearance. */
const ACTIONABLE = new Set<string>([
  Reason.CRDNotInstalled,
  Reason.ExternalSecretMissing,
  Reason.InvalidSpec,
  Reason.MigrationFailed,
  Reason.ReconcileFailed,
]);

// A condition's first appearance (a new instance gets ten at once) is news only when someone
// must act; after that every flip is, except reconciliation resuming.
function shouldAnnounce(condition: Condition, seenBefore: boolean): boolean {
  if (!seenBefore) return condition.status === 'False' && ACTIONABLE.has(condition.reason);
  return condition.type !== ConditionType.Paused || condition.status === 'True';
}
