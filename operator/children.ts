import { setTimeout as sleep } from 'node:timers/promises';
import { labelKeys, managedBy } from '../cdk8s/index.js';
import { Informer, type WatchRestartReason } from './runtime/informer.js';
import type { KubeClient, KubeObject } from './kube/kube-client.js';
import { childKinds } from './child-kinds.js';
import { districtCodec } from './district-codec.js';
import { instanceKey } from './instance-key.js';

export const childSelector = `${labelKeys.managedBy}=${managedBy}`;

/** The operator's cache of a kind has not synced within the allowed time. */
export class CacheNotSyncedError extends Error {
  constructor(
    readonly kinds: readonly string[],
    readonly reasons: readonly string[],
    timeoutMs: number,
  ) {
    super(
      `the operator cannot read ${kinds.join(', ')}: its cache has not synced within ${Math.round(timeoutMs / 1000)} s` +
        (reasons.length > 0 ? ` (${reasons.join('; ')})` : '') +
        '; check the operator’s RBAC and the kind’s CRD (conversion webhook)',
    );
    this.name = 'CacheNotSyncedError';
  }
}

const errorText = (error: unknown): string =>
  error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300);

const kindKey = (apiVersion: string, kind: string) => `${kind}.${apiVersion}`;

export interface ChildEvents {
  changed(object: KubeObject): void;
  watchRestarted(resource: string, reason: WatchRestartReason): void;
}

/**
 * Label-selected informers on every kind the operator creates, in each watched namespace (or
 * all). Custom resources (ServiceMonitor, cloud claims) get an informer the first time an
 * instance wants one and the API server serves the kind.
 */
export class ChildCache {
  readonly #informers = new Map<string, Informer<KubeObject>[]>();
  readonly #codec = districtCodec<KubeObject>();

  constructor(
    private readonly client: KubeClient,
    private readonly namespaces: readonly string[],
    private readonly events: ChildEvents,
    /** How long a reconcile waits for a kind's cache to sync before it fails naming the kind. */
    private readonly syncTimeoutMs = 120_000,
  ) {}

  /**
   * Informs on every built-in kind and on each custom kind served. Resolves once they synced or
   * the sync timeout passed; reconciles then fail naming the kinds still unsynced.
   */
  async start(): Promise<void> {
    const settled = await Promise.allSettled(
      childKinds.filter((child) => child.builtIn).map(({ apiVersion, kind }) => this.watch(apiVersion, kind)),
    );
    await this.watchServedCustomKinds();
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed && !(failed.reason instanceof CacheNotSyncedError)) throw failed.reason;
  }

  /** Throws CacheNotSyncedError naming every built-in kind whose cache has not synced. */
  requireBuiltInSynced(): void {
    const unsynced = childKinds
      .filter((child) => child.builtIn)
      .flatMap(({ apiVersion, kind }) => {
        const informers = this.#informers.get(kindKey(apiVersion, kind)) ?? [];
        return informers.some((informer) => !informer.hasSynced) ? [{ kind, informers }] : [];
      });
    if (unsynced.length > 0) {
      throw new CacheNotSyncedError(
        unsynced.map(({ kind }) => kind),
        unsynced.flatMap(({ informers }) => reasonsOf(informers)),
        this.syncTimeoutMs,
      );
    }
  }

  /** Built-in kinds whose cache has been unsynced for longer than the sync timeout. */
  stuckBuiltInKinds(): string[] {
    return childKinds
      .filter((child) => child.builtIn)
      .filter(({ apiVersion, kind }) =>
        (this.#informers.get(kindKey(apiVersion, kind)) ?? []).some(
          (informer) => informer.unsyncedForMs() > this.syncTimeoutMs,
        ),
      )
      .map(({ kind }) => kind);
  }

  /**
   * Informs on every custom kind the API server serves now, wanted by an instance or not: what
   * an earlier spec (or an earlier operator process) made must be found to be pruned.
   */
  async watchServedCustomKinds(): Promise<void> {
    const settled = await Promise.allSettled(
      childKinds
        .filter((child) => !child.builtIn)
        .map(({ apiVersion, kind }) => this.watch(apiVersion, kind)),
    );
    // A custom kind that cannot sync fails only the reconciles that want it, naming it.
    const failed = settled.find(
      (result) => result.status === 'rejected' && !(result.reason instanceof CacheNotSyncedError),
    );
    if (failed?.status === 'rejected') throw failed.reason;
  }

  /**
   * Starts informing on a kind (idempotent) and waits until its cache synced, at most until the
   * sync timeout has passed since it started (then CacheNotSyncedError); false when the API
   * server does not serve the kind.
   */
  async watch(apiVersion: string, kind: string): Promise<boolean> {
    const key = kindKey(apiVersion, kind);
    const existing = this.#informers.get(key);
    if (existing) {
      await this.#synced(kind, existing);
      return true;
    }
    const info = await this.client.resource(apiVersion, kind);
    if (!info) return false;
    const started = this.#informers.get(key);
    if (started) {
      await this.#synced(kind, started);
      return true;
    }
    const scopes = info.namespaced && this.namespaces.length > 0 ? this.namespaces : [undefined];
    const informers = scopes.map((namespace) => {
      const path = `${info.groupVersionPath}${namespace ? `/namespaces/${namespace}` : ''}/${info.plural}`;
      const informer = new Informer<KubeObject>(this.client.watch.bind(this.client), {
        resource: info.plural,
        path,
        labelSelector: childSelector,
        indexBy: instanceIndex,
        codec: this.#codec,
        list: () =>
          this.client
            .list<KubeObject>(apiVersion, kind, namespace, childSelector)
            .then(withKind(apiVersion, kind)),
        handlers: {
          added: (object) => this.events.changed(withTypeMeta(object, apiVersion, kind)),
          updated: (object) => this.events.changed(withTypeMeta(object, apiVersion, kind)),
          deleted: (object) => this.events.changed(withTypeMeta(object, apiVersion, kind)),
        },
        onRestart: (reason) => this.events.watchRestarted(info.plural, reason),
      });
      informer.start();
      return informer;
    });
    this.#informers.set(key, informers);
    await this.#synced(kind, informers);
    return true;
  }

  async #synced(kind: string, informers: readonly Informer<KubeObject>[]): Promise<void> {
    if (informers.every((informer) => informer.hasSynced)) return;
    const waited = Math.max(...informers.map((informer) => informer.unsyncedForMs()));
    const remaining = this.syncTimeoutMs - waited;
    if (remaining > 0) {
      const timeout = new AbortController();
      await Promise.race([
        Promise.all(informers.map((informer) => informer.synced)),
        // aborted once the informers synced: the race is over, not failed
        sleep(remaining, undefined, { signal: timeout.signal }).catch(() => undefined),
      ]);
      timeout.abort();
    }
    if (!informers.every((informer) => informer.hasSynced)) {
      throw new CacheNotSyncedError([kind], reasonsOf(informers), this.syncTimeoutMs);
    }
  }

  isWatched(apiVersion: string, kind: string): boolean {
    return this.#informers.has(kindKey(apiVersion, kind));
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    for (const informer of this.#informers.get(kindKey(apiVersion, kind)) ?? []) {
      const object = informer.get(namespace, name);
      if (object) return withTypeMeta(object, apiVersion, kind);
    }
    return undefined;
  }

  /** Every cached child of one instance of one kind. */
  listOfInstance(apiVersion: string, kind: string, namespace: string, instance: string): KubeObject[] {
    return (this.#informers.get(kindKey(apiVersion, kind)) ?? []).flatMap((informer) =>
      informer
        .byIndex(instanceKey({ namespace, name: instance }))
        .map((object) => withTypeMeta(object, apiVersion, kind)),
    );
  }

  /** Every cached child of one instance, of every watched kind. */
  listForInstance(namespace: string, instance: string): KubeObject[] {
    return childKinds.flatMap(({ apiVersion, kind }) =>
      this.listOfInstance(apiVersion, kind, namespace, instance),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].flat().map((informer) => informer.stop()));
  }
}

function reasonsOf(informers: readonly Informer<KubeObject>[]): string[] {
  return [
    ...new Set(
      informers.flatMap((informer) =>
        informer.lastError === undefined ? [] : [errorText(informer.lastError)],
      ),
    ),
  ];
}

/** Children are found by the instance they belong to (namespace and instance label). */
function instanceIndex(object: KubeObject): string | undefined {
  const instance = object.metadata.labels?.[labelKeys.instance];
  return instance === undefined
    ? undefined
    : instanceKey({ namespace: object.metadata.namespace ?? '', name: instance });
}

// Lists return items without apiVersion/kind; the reconciler compares and applies typed objects.
function withTypeMeta(object: KubeObject, apiVersion: string, kind: string): KubeObject {
  return object.apiVersion && object.kind ? object : { ...object, apiVersion, kind };
}

function withKind(apiVersion: string, kind: string) {
  return <L extends { items: KubeObject[] }>(list: L): L => ({
    ...list,
    items: list.items.map((item) => withTypeMeta(item, apiVersion, kind)),
  });
}
