import { HttpMethod } from '@kubernetes/client-node';
import {
  InstanceNames,
  InstanceValidationError,
  labelKeys,
  rosterHubInstanceApi,
  synthesizeDistrict,
  type RosterHubInstance,
} from '../cdk8s/index.js';
import type { Logger } from '../lib/logging/logger.js';
import type { ChildCache } from './children.js';
import {
  ConditionType,
  Reason,
  mergeConditions,
  transitions,
  type Condition,
  type DesiredCondition,
} from './conditions.js';
import type { EventRecorder } from './events.js';
import { FIELD_MANAGER, PAUSE_ANNOTATION, PAUSE_VALUE } from './field-manager.js';
import {
  KindNotServedError,
  type KubeClient,
  type KubeObject,
  type OwnerReference,
} from './kube/kube-client.js';
import { satisfies } from './object-diff.js';
import { planReconcile, type ObservedChildren } from './reconcile/plan.js';
import { computeStatus, type DesiredStatus, type Phase } from './reconcile/status.js';
import type { ReconcileResult } from './runtime/controller.js';
import { ensureSecrets } from './secrets.js';

/** A RosterHubInstance as stored: the spec plus the operator's status. */
export interface InstanceObject extends KubeObject {
  spec?: unknown;
  status?: InstanceStatus;
}

export interface InstanceStatus {
  observedGeneration?: number;
  phase?: Phase;
  currentVersion?: string;
  conditions?: Condition[];
  endpoints?: { api: string; ingress?: string };
}

export interface InstanceReconcilerDeps {
  client: KubeClient;
  children: ChildCache;
  events: EventRecorder;
  logger: Logger;
  /** The instance as the informer last saw it. */
  getInstance(namespace: string, name: string): InstanceObject | undefined;
  /** Phase per instance key, for the instances-by-phase gauge. */
  phaseChanged?(key: string, phase: Phase | undefined): void;
}

/** While anything is converging, look again this often even without a watch event. */
const CONVERGING_REQUEUE_MS = 10_000;

const objectKey = (object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>) =>
  `${object.apiVersion}/${object.kind}/${object.metadata.name}`;

/**
 * Reconciles one RosterHubInstance: synthesizes its district, applies what differs from the
 * cluster (server-side apply, one field manager, owner references), prunes what the spec no
 * longer wants, and writes status only when it changed. Pure decisions live in `reconcile/`.
 */
export class InstanceReconciler {
  constructor(private readonly deps: InstanceReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const stored = this.deps.getInstance(namespace, name);
    if (!stored || stored.metadata.deletionTimestamp) {
      // Children carry owner references: the garbage collector removes them, and what the
      // deletion policy keeps (volumes, generated credentials, cloud servers) has none.
      this.deps.phaseChanged?.(key, undefined);
      return {};
    }
    const instance = { ...stored, metadata: { ...stored.metadata, namespace } };
    const paused = this.#pauseReason(instance);
    if (paused) {
      await this.#writePaused(instance, paused);
      return {};
    }
    let parsed: RosterHubInstance;
    try {
      parsed = synthesizeDistrict(instance).instance;
    } catch (error) {
      if (!(error instanceof InstanceValidationError)) throw error;
      await this.#writeInvalid(instance, error.message);
      return {};
    }
    return this.#reconcileValid(instance, parsed);
  }

  #pauseReason(instance: InstanceObject): string | undefined {
    if (instance.metadata.annotations?.[PAUSE_ANNOTATION] === PAUSE_VALUE) {
      return `reconciliation is paused by the annotation ${PAUSE_ANNOTATION}: ${PAUSE_VALUE}`;
    }
    if ((instance.spec as { suspend?: boolean } | undefined)?.suspend === true) {
      return 'reconciliation is suspended by spec.suspend';
    }
    return undefined;
  }

  async #reconcileValid(stored: InstanceObject, instance: RosterHubInstance): Promise<ReconcileResult> {
    const { client, children } = this.deps;
    const namespace = stored.metadata.namespace ?? 'default';
    const name = stored.metadata.name;
    const owner: OwnerReference = {
      apiVersion: stored.apiVersion,
      kind: stored.kind,
      name,
      uid: stored.metadata.uid ?? '',
      controller: true,
      blockOwnerDeletion: true,
    };
    const observed: ObservedChildren = {
      get: (apiVersion, kind, childName) => children.get(apiVersion, kind, namespace, childName),
    };
    const plan = planReconcile(instance, stored.status?.currentVersion, observed);
    const names = new InstanceNames(name, namespace);
    const retained = this.#retainedNames(instance, names);

    const secrets = await ensureSecrets(
      client,
      namespace,
      name,
      plan.target.requiredSecrets,
      (secretName) => children.get('v1', 'Secret', namespace, secretName) ?? undefined,
      (secretName) => (retained.has(`v1/Secret/${secretName}`) ? [] : [owner]),
    );

    const notServed = new Set<string>();
    const failures: string[] = [];
    let writes = secrets.created.length;
    for (const desired of plan.objects) {
      const object = this.#withOwner(
        desired,
        namespace,
        retained.has(objectKey(desired)) ? undefined : owner,
      );
      if (
        !children.isWatched(object.apiVersion, object.kind) &&
        !(await children.watch(object.apiVersion, object.kind))
      ) {
        notServed.add(`${object.kind} (${object.apiVersion})`);
        continue;
      }
      const live = children.get(object.apiVersion, object.kind, namespace, object.metadata.name);
      if (satisfies(live, object)) continue;
      try {
        await client.apply(object, FIELD_MANAGER);
        writes += 1;
      } catch (error) {
        if (error instanceof KindNotServedError) {
          notServed.add(`${object.kind} (${object.apiVersion})`);
          continue;
        }
        failures.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
      }
    }

    // Prune only after a clean apply: never delete while the desired state is uncertain.
    if (failures.length === 0) {
      const wanted = new Set(plan.objects.map(objectKey));
      for (const child of children.listForInstance(namespace, name)) {
        const owned =
          child.metadata.ownerReferences?.some((reference) => reference.uid === owner.uid) ?? false;
        if (!owned || wanted.has(objectKey(child)) || child.kind === 'Secret') continue;
        await client.delete(child);
        writes += 1;
        this.deps.logger.info(`pruned ${child.kind} ${namespace}/${child.metadata.name}`, {
          instance: `${namespace}/${name}`,
        });
      }
    }

    const status = computeStatus({
      instance,
      generation: stored.metadata.generation ?? 0,
      plan,
      observed,
      ...(failures.length > 0 ? { applyFailure: failures.join('; ') } : {}),
      notServed,
      missingSecrets: secrets.missing,
    });
    await this.#writeStatus(stored, status);
    if (failures.length > 0) throw new Error(`apply failed: ${failures.join('; ')}`);
    const converging = status.phase !== 'Ready' || writes > 0;
    return converging && status.phase !== 'UpgradeFailed' ? { requeueAfterMs: CONVERGING_REQUEUE_MS } : {};
  }

  /** Objects that outlive the instance under `deletionPolicy: Retain` carry no owner reference. */
  #retainedNames(instance: RosterHubInstance, names: InstanceNames): Set<string> {
    const retained = new Set<string>();
    if (instance.spec.database.deletionPolicy === 'Retain') {
      retained.add(`v1/Secret/${names.postgresCredentials}`);
      retained.add(`v1/PersistentVolumeClaim/${names.backupVolume}`);
    }
    if (instance.spec.redis.deletionPolicy === 'Retain') retained.add(`v1/Secret/${names.redisCredentials}`);
    return retained;
  }

  #withOwner(object: KubeObject, namespace: string, owner: OwnerReference | undefined): KubeObject {
    return {
      ...object,
      metadata: {
        ...object.metadata,
        namespace: object.metadata.namespace ?? namespace,
        ...(owner ? { ownerReferences: [owner] } : {}),
      },
    };
  }

  async #writePaused(stored: InstanceObject, message: string): Promise<void> {
    const previous = stored.status?.conditions ?? [];
    const paused: DesiredCondition = {
      type: ConditionType.Paused,
      status: 'True',
      reason: Reason.ReconciliationPaused,
      message,
      observedGeneration: stored.metadata.generation ?? 0,
    };
    const others = previous.filter((condition) => condition.type !== ConditionType.Paused);
    await this.#patchStatus(stored, {
      ...stored.status,
      observedGeneration: stored.metadata.generation ?? 0,
      phase: 'Paused',
      conditions: [...others, ...mergeConditions(previous, [paused], new Date())],
    });
  }

  async #writeInvalid(stored: InstanceObject, message: string): Promise<void> {
    const generation = stored.metadata.generation ?? 0;
    const desired: DesiredCondition[] = [
      {
        type: ConditionType.Ready,
        status: 'False',
        reason: Reason.InvalidSpec,
        message,
        observedGeneration: generation,
      },
      {
        type: ConditionType.Reconciled,
        status: 'False',
        reason: Reason.InvalidSpec,
        message,
        observedGeneration: generation,
      },
    ];
    const previous = stored.status?.conditions ?? [];
    const kept = previous.filter(
      (c) => c.type !== ConditionType.Ready && c.type !== ConditionType.Reconciled,
    );
    await this.#patchStatus(stored, {
      ...stored.status,
      observedGeneration: generation,
      phase: 'Error',
      conditions: [...mergeConditions(previous, desired, new Date()), ...kept],
    });
  }

  async #writeStatus(stored: InstanceObject, desired: DesiredStatus): Promise<void> {
    const previous = stored.status?.conditions ?? [];
    const conditions = mergeConditions(previous, desired.conditions, new Date());
    await this.#patchStatus(stored, { ...desired, conditions });
  }

  /** Writes status only when it differs; emits an Event for each condition that flipped. */
  async #patchStatus(stored: InstanceObject, status: InstanceStatus): Promise<void> {
    const key = `${stored.metadata.namespace ?? 'default'}/${stored.metadata.name}`;
    this.deps.phaseChanged?.(key, status.phase);
    if (JSON.stringify(normalize(stored.status)) === JSON.stringify(normalize(status))) return;
    const { group, version, plural } = rosterHubInstanceApi;
    await this.deps.client.request(
      HttpMethod.PATCH,
      `/apis/${group}/${version}/namespaces/${stored.metadata.namespace ?? 'default'}/${plural}/${stored.metadata.name}/status`,
      {
        body: { status },
        contentType: 'application/merge-patch+json',
        query: { fieldManager: `${FIELD_MANAGER}-status` },
      },
    );
    for (const changed of transitions(stored.status?.conditions ?? [], status.conditions ?? [])) {
      if (!shouldAnnounce(changed)) continue;
      const type =
        changed.status === 'False' &&
        changed.type !== ConditionType.Paused &&
        changed.type !== ConditionType.Upgrading
          ? 'Warning'
          : 'Normal';
      await this.deps.events
        .record(stored, type, changed.reason, `${changed.type}=${changed.status}: ${changed.message}`)
        .catch((error: unknown) =>
          this.deps.logger.warn('could not record an event', { error, instance: key }),
        );
    }
  }
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

// A flip to Unknown or of an informational condition at first sight is not worth an Event.
function shouldAnnounce(condition: Condition): boolean {
  return condition.type !== ConditionType.Paused || condition.status === 'True';
}

export { labelKeys };
