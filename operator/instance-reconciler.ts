import {
  defaultNamespace,
  scaledObjectKind,
  InstanceNames,
  InstanceValidationError,
  validateInstance,
  type District,
  type RosterHubInstance,
} from '../cdk8s/index.js';
import type { Logger } from '../lib/logging/logger.js';
import { CacheNotSyncedError, type ChildCache } from './children.js';
import { ConditionType, Reason, mergeConditions, type DesiredCondition } from './conditions.js';
import type { EventRecorder } from './events.js';
import { FIELD_MANAGER, PAUSE_ANNOTATION, PAUSE_VALUE } from './field-manager.js';
import { districtCodec } from './district-codec.js';
import { instanceKey } from './instance-key.js';
import {
  KindNotServedError,
  kindLabel,
  type KubeClient,
  type KubeObject,
  type OwnerReference,
} from './kube/kube-client.js';
import { satisfies } from './object-diff.js';
import { withAppliedIntent } from './applied-intent.js';
import { neverPrunedKinds } from './child-kinds.js';
import { StatefulSetClaims } from './stateful-set-claims.js';
import { withSecretDigest } from './secret-rollout.js';
import { dataServiceHealth } from './reconcile/conditions/data-service.js';
import {
  deferMigration,
  planReconcile,
  RETRY_MIGRATION_ANNOTATION,
  type ObservedChildren,
  type Plan,
} from './reconcile/plan.js';
import { computeStatus, type Phase } from './reconcile/status.js';
import { StatusWriter, type InstanceObject } from './reconcile/status-writer.js';
import { SynthesisCache } from './reconcile/synthesis-cache.js';
import type { ReconcileResult } from './runtime/controller.js';
import { readExternalPorts } from './external-ports.js';
import { ensureSecrets } from './secrets.js';

export type { InstanceObject, InstanceStatus } from './reconcile/status-writer.js';

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
/** While a wanted kind is not served (its CRD missing), look for it this often. */
const NOT_SERVED_REQUEUE_MS = 30_000;

const objectKey = (object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>) =>
  `${object.apiVersion}/${object.kind}/${object.metadata.name}`;

const secretKey = (name: string) => objectKey({ apiVersion: 'v1', kind: 'Secret', metadata: { name } });

/** What applying a plan did. */
interface Applied {
  writes: number;
  failures: string[];
  notServed: Set<string>;
  /** Why a StatefulSet's volumes could not grow to the size the spec asks for. */
  storageRefusals: string[];
}

/**
 * Reconciles one RosterHubInstance: synthesizes its district, applies what differs from the
 * cluster (server-side apply, one field manager, owner references), prunes what the spec no
 * longer wants, and writes status only when it changed. Pure decisions live in `reconcile/`.
 */
export class InstanceReconciler {
  readonly #status: StatusWriter;
  readonly #syntheses = new SynthesisCache(districtCodec<District>());
  readonly #announcedKept = new Set<string>();

  readonly #claims: StatefulSetClaims;

  constructor(private readonly deps: InstanceReconcilerDeps) {
    this.#status = new StatusWriter(deps.client, deps.events, deps.logger);
    this.#claims = new StatefulSetClaims(deps.client, deps.children);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const stored = this.deps.getInstance(namespace, name);
    if (!stored || stored.metadata.deletionTimestamp) {
      // Children carry owner references: the garbage collector removes them, and what the
      // deletion policy keeps (volumes, generated credentials, cloud servers) has none.
      this.deps.phaseChanged?.(key, undefined);
      if (!stored) {
        this.#status.forget(key);
        this.#syntheses.forget(key);
      }
      return {};
    }
    const instance = { ...stored, metadata: { ...stored.metadata, namespace } };
    const paused = this.#pauseReason(instance);
    if (paused) {
      await this.#writePaused(instance, paused.reason, paused.message);
      this.deps.phaseChanged?.(key, 'Paused');
      return {};
    }
    let parsed: RosterHubInstance;
    try {
      parsed = validateInstance(instance);
    } catch (error) {
      if (!(error instanceof InstanceValidationError)) throw error;
      await this.#writeInvalid(instance, error.message);
      this.deps.phaseChanged?.(key, 'Error');
      return {};
    }
    try {
      return await this.#reconcileValid(instance, parsed);
    } catch (error) {
      if (!(error instanceof CacheNotSyncedError)) throw error;
      // Nothing is applied or pruned from a cache that may be incomplete; the queue retries.
      await this.#writeBlocked(instance, Reason.CacheNotSynced, error.message, { acted: false });
      this.deps.phaseChanged?.(key, 'Error');
      throw error;
    }
  }

  #pauseReason(instance: InstanceObject): { reason: string; message: string } | undefined {
    if (instance.metadata.annotations?.[PAUSE_ANNOTATION] === PAUSE_VALUE) {
      return {
        reason: Reason.ReconciliationPaused,
        message: `reconciliation is paused by the annotation ${PAUSE_ANNOTATION}: ${PAUSE_VALUE}; nothing is applied until it is removed`,
      };
    }
    if ((instance.spec as { suspend?: boolean } | undefined)?.suspend === true) {
      return {
        reason: Reason.Suspended,
        message: 'reconciliation is suspended by spec.suspend; nothing is applied until it is set to false',
      };
    }
    return undefined;
  }

  async #reconcileValid(stored: InstanceObject, instance: RosterHubInstance): Promise<ReconcileResult> {
    const { client, children } = this.deps;
    children.requireBuiltInSynced();
    const namespace = stored.metadata.namespace ?? defaultNamespace;
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
      list: (apiVersion, kind) => children.listOfInstance(apiVersion, kind, namespace, name),
    };
    const readSecret = async (secretName: string) =>
      children.get('v1', 'Secret', namespace, secretName) ??
      (await client.get('v1', 'Secret', namespace, secretName));
    const externalPorts = await readExternalPorts(instance, readSecret);
    // KEDA installed: the worker scales on the import queue's depth.
    const workerAutoscaler = (await client.resource(scaledObjectKind.apiVersion, scaledObjectKind.kind))
      ? 'keda'
      : 'hpa';
    const retryMigration = stored.metadata.annotations?.[RETRY_MIGRATION_ANNOTATION];
    let plan = planReconcile(
      instance,
      this.#status.current(stored)?.currentVersion,
      observed,
      (input) => this.#syntheses.synthesize(input, { externalPorts, workerAutoscaler }),
      retryMigration === undefined ? {} : { retryMigration },
    );
    const retained = this.#retainedNames(instance, new InstanceNames(name, namespace));

    const secrets = await ensureSecrets(
      client,
      namespace,
      name,
      plan.target.requiredSecrets,
      (secretName) => children.get('v1', 'Secret', namespace, secretName),
      (secretName) => (retained.has(secretKey(secretName)) ? [] : [owner]),
    );
    const database = dataServiceHealth(
      { instance, objects: plan.objects, observed, missingSecrets: secrets.missing, notServed: new Set() },
      'postgres',
    );
    if (!database.ready) plan = deferMigration(plan, database.message);
    const applied = await this.#apply(plan, namespace, owner, retained, secrets.digests);
    applied.writes += secrets.created.length;
    if (plan.retire) {
      // A retry: the failed attempt goes (its Pods with it), and the next reconcile creates it anew.
      await client.delete(plan.retire, 'Background');
      applied.writes += 1;
    }
    // Prune only after a clean apply: never delete while the desired state is uncertain.
    if (applied.failures.length === 0) applied.writes += await this.#prune(plan, stored, owner);

    const status = computeStatus({
      instance,
      generation: stored.metadata.generation ?? 0,
      plan,
      observed,
      ...(applied.failures.length > 0 ? { applyFailure: applied.failures.join('; ') } : {}),
      notServed: applied.notServed,
      missingSecrets: secrets.missing,
      storageRefusals: applied.storageRefusals,
    });
    await this.#status.write(stored, status);
    this.deps.phaseChanged?.(instanceKey({ namespace, name }), status.phase);
    if (applied.failures.length > 0) throw new Error(`apply failed: ${applied.failures.join('; ')}`);
    if (applied.writes > 0) return { requeueAfterMs: CONVERGING_REQUEUE_MS };
    // Waiting on a person (a CRD to install, a StorageClass to allow expansion): look now and then.
    if (applied.notServed.size > 0 || applied.storageRefusals.length > 0) {
      return { requeueAfterMs: NOT_SERVED_REQUEUE_MS };
    }
    if (status.phase !== 'Ready' && status.phase !== 'UpgradeFailed') {
      return { requeueAfterMs: CONVERGING_REQUEUE_MS };
    }
    return {};
  }

  /** Applies every planned object whose live state does not already satisfy it. */
  async #apply(
    plan: Plan,
    namespace: string,
    owner: OwnerReference,
    retained: ReadonlySet<string>,
    secretDigests: ReadonlyMap<string, string>,
  ): Promise<Applied> {
    const { client, children } = this.deps;
    const result: Applied = { writes: 0, failures: [], notServed: new Set(), storageRefusals: [] };
    for (const desired of plan.objects) {
      const keep = retained.has(objectKey(desired));
      const object = withAppliedIntent(
        withSecretDigest(this.#withOwner(desired, namespace, keep ? undefined : owner), secretDigests),
      );
      if (!(await children.watch(object.apiVersion, object.kind))) {
        result.notServed.add(kindLabel(object));
        continue;
      }
      const live = children.get(object.apiVersion, object.kind, namespace, object.metadata.name);
      // The intent hash covers what the subset check cannot see: fields no longer emitted
      // (an owner reference the Retain policy drops, a removed label) leave by this apply.
      if (satisfies(live, object)) continue;
      try {
        const prepared = await this.#claims.prepare(object, live);
        if (prepared.action === 'wait') {
          result.writes += 1;
          continue;
        }
        let applying = object;
        if (prepared.action === 'apply-with-live-claims') {
          result.storageRefusals.push(prepared.message);
          applying = withAppliedIntent(prepared.object);
          if (satisfies(live, applying)) continue;
        }
        await client.apply(applying, FIELD_MANAGER);
        result.writes += 1;
      } catch (error) {
        if (error instanceof KindNotServedError) {
          result.notServed.add(kindLabel(object));
          continue;
        }
        if (error instanceof CacheNotSyncedError) throw error;
        result.failures.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
      }
    }
    return result;
  }

  /**
   * Deletes owned children the plan no longer wants; returns how many. Volumes and Secrets are
   * never pruned: they hold data, and a spec change is no request to delete it.
   */
  async #prune(plan: Plan, stored: InstanceObject, owner: OwnerReference): Promise<number> {
    const namespace = stored.metadata.namespace ?? defaultNamespace;
    const name = stored.metadata.name;
    const wanted = new Set([...plan.objects, ...plan.keep].map(objectKey));
    const generated = new Set(plan.target.requiredSecrets.map((secret) => secretKey(secret.name)));
    let deleted = 0;
    for (const child of this.deps.children.listForInstance(namespace, name)) {
      const owned = child.metadata.ownerReferences?.some((reference) => reference.uid === owner.uid) ?? false;
      const key = objectKey(child);
      if (!owned || wanted.has(key) || generated.has(key)) continue;
      if (neverPrunedKinds.has(child.kind)) {
        await this.#announceKept(stored, child);
        continue;
      }
      await this.deps.client.delete(child);
      deleted += 1;
      this.deps.logger.info(`pruned ${child.kind} ${namespace}/${child.metadata.name}`, {
        instance: instanceKey({ namespace, name }),
      });
    }
    return deleted;
  }

  /** Once per object and process: a Normal Event saying why an unused volume or Secret stays. */
  async #announceKept(stored: InstanceObject, child: KubeObject): Promise<void> {
    const key = `${child.metadata.namespace ?? ''}/${objectKey(child)}/${child.metadata.uid ?? ''}`;
    if (this.#announcedKept.has(key)) return;
    this.#announcedKept.add(key);
    await this.deps.events
      .record(
        stored,
        'Normal',
        Reason.KeptData,
        `${child.kind} ${child.metadata.name} is no longer used by the spec and is kept: it holds data. It goes with the instance when its deletionPolicy is Delete; delete it by hand if it is not needed`,
      )
      .catch((error: unknown) => this.deps.logger.warn('could not record an event', { error }));
  }

  /** Objects that outlive the instance under `deletionPolicy: Retain` carry no owner reference. */
  #retainedNames(instance: RosterHubInstance, names: InstanceNames): Set<string> {
    const retained = new Set<string>();
    if (instance.spec.database.deletionPolicy === 'Retain') {
      retained.add(secretKey(names.postgresCredentials));
      retained.add(
        objectKey({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: names.backupVolume },
        }),
      );
    }
    if (instance.spec.redis.deletionPolicy === 'Retain') retained.add(secretKey(names.redisCredentials));
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

  async #writePaused(stored: InstanceObject, reason: string, message: string): Promise<void> {
    const current = this.#status.current(stored);
    const previous = current?.conditions ?? [];
    const paused: DesiredCondition = {
      type: ConditionType.Paused,
      status: 'True',
      reason,
      message,
      observedGeneration: stored.metadata.generation ?? 0,
    };
    const others = previous.filter((condition) => condition.type !== ConditionType.Paused);
    // observedGeneration stays: a paused operator has not acted on the spec (kstatus, Flux).
    await this.#status.patch(stored, {
      ...current,
      phase: 'Paused',
      conditions: [...others, ...mergeConditions(previous, [paused], new Date())],
    });
  }

  async #writeInvalid(stored: InstanceObject, message: string): Promise<void> {
    // The spec was read and refused: that is acting on it (observedGeneration moves).
    await this.#writeBlocked(stored, Reason.InvalidSpec, message, { acted: true });
  }

  /**
   * Phase Error, Ready and Reconciled False for `reason`, the other conditions as they were;
   * observedGeneration moves only when the spec was `acted` upon.
   */
  async #writeBlocked(
    stored: InstanceObject,
    reason: string,
    message: string,
    { acted }: { acted: boolean },
  ): Promise<void> {
    const generation = stored.metadata.generation ?? 0;
    const desired: DesiredCondition[] = [ConditionType.Ready, ConditionType.Reconciled].map((type) => ({
      type,
      status: 'False',
      reason,
      message,
      observedGeneration: generation,
    }));
    const current = this.#status.current(stored);
    const previous = current?.conditions ?? [];
    const kept = previous.filter(
      (c) => c.type !== ConditionType.Ready && c.type !== ConditionType.Reconciled,
    );
    await this.#status.patch(stored, {
      ...current,
      ...(acted ? { observedGeneration: generation } : {}),
      phase: 'Error',
      conditions: [...mergeConditions(previous, desired, new Date()), ...kept],
    });
  }
}
