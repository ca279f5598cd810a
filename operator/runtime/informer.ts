import { setTimeout as sleep } from 'node:timers/promises';
import type { ValueCodec } from './deflated-json.js';

/** The least an informed object has. */
export interface InformedObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export interface InformedList<T> {
  items: T[];
  metadata?: { resourceVersion?: string };
}

export interface InformerHandlers<T extends InformedObject> {
  added?(object: T): void;
  updated?(object: T, previous: T): void;
  deleted?(object: T): void;
}

export type WatchRestartReason = 'closed' | 'expired' | 'stalled' | 'error';

/** Opens one watch (KubeClient.watch): resolves when it ends, rejects on errors (`code` 410: expired). */
export type WatchFunction = (
  path: string,
  query: Record<string, string | number | boolean>,
  onEvent: (type: string, object: unknown) => void,
  options: { signal: AbortSignal; inactivityMs: number },
) => Promise<void>;

export interface InformerOptions<T extends InformedObject> {
  /** For logs and metrics, e.g. `rosterhubinstances`. */
  resource: string;
  /** The collection path, e.g. `/apis/rosterhub.io/v1alpha1/namespaces/a/rosterhubinstances`. */
  path: string;
  labelSelector?: string;
  list: () => Promise<InformedList<T>>;
  handlers: InformerHandlers<T>;
  /** A watch that delivers nothing (not even a bookmark) for this long is restarted. */
  stallTimeoutMs?: number;
  /** How to wait between retries (a fake clock in unit tests); default setTimeout. */
  pause?: (ms: number, signal: AbortSignal) => Promise<unknown>;
  onRestart?: (reason: WatchRestartReason, error?: unknown) => void;
  /** An index (client-go's Indexer): `byIndex(value)` returns the objects this maps to `value`. */
  indexBy?: (object: T) => string | undefined;
  /**
   * Keep each object encoded (DeflatedJson) and decode it on every read: for caches that hold
   * many objects and are read a few at a time. Every read is then a fresh copy.
   */
  codec?: ValueCodec<T>;
}

interface CacheEntry<T> {
  resourceVersion: string | undefined;
  indexValue: string | undefined;
  value: T | string;
}

const BOOKMARK = 'BOOKMARK';
/** A relist this long after the previous one starts without delay. */
const RELIST_CALM_MS = 60_000;

function keyOf(object: InformedObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** Cached objects drop `metadata.managedFields`: nothing reads them, and they are a third of an object. */
function slim<T extends InformedObject>(object: T): T {
  const metadata = object.metadata as { managedFields?: unknown } | undefined;
  if (metadata?.managedFields !== undefined) delete metadata.managedFields;
  return object;
}

/**
 * List-then-watch cache of one resource that never gives up: a closed watch resumes from the last
 * resourceVersion, an expired one (410 Gone) relists and emits the differences (relists within a
 * minute of the last back off, 1 s doubling to 30 s), errors back off
 * (1 s doubling to 30 s), and a watch that goes silent beyond the stall timeout (no event and no
 * bookmark) is restarted. Handlers see each change once; a relist emits only real differences.
 */
export class Informer<T extends InformedObject> {
  readonly #cache = new Map<string, CacheEntry<T>>();
  /** Index value → keys of the objects with it. */
  readonly #index = new Map<string, Set<string>>();
  #resourceVersion = '';
  #stopped = true;
  /** Aborted by stop(): ends the watch, or a backoff, at once. */
  #stopping = new AbortController();
  #loop: Promise<void> | undefined;

  // A method, not the field, so that TypeScript does not narrow a flag that stop() flips
  // while this code awaits.
  #isStopped(): boolean {
    return this.#stopped;
  }
  #synced!: () => void;
  readonly synced: Promise<void>;
  #hasSynced = false;
  /** When start() was last called (monotonic ms). */
  #startedAt = 0;
  /** The last list or watch error since the last success, for "why is it not synced". */
  #lastError: unknown;

  constructor(
    private readonly watch: WatchFunction,
    private readonly options: InformerOptions<T>,
  ) {
    this.synced = new Promise((resolve) => {
      this.#synced = resolve;
    });
  }

  get(namespace: string, name: string): T | undefined {
    const entry = this.#cache.get(`${namespace}/${name}`);
    return entry && this.#decode(entry);
  }

  list(): T[] {
    return [...this.#cache.values()].map((entry) => this.#decode(entry));
  }

  /** The objects that `indexBy` maps to `value`. */
  byIndex(value: string): T[] {
    const keys = this.#index.get(value);
    if (!keys) return [];
    return [...keys].flatMap((key) => {
      const entry = this.#cache.get(key);
      return entry ? [this.#decode(entry)] : [];
    });
  }

  #decode(entry: CacheEntry<T>): T {
    const { codec } = this.options;
    return codec && typeof entry.value === 'string' ? codec.decode(entry.value) : (entry.value as T);
  }

  #store(key: string, item: T): CacheEntry<T> | undefined {
    const previous = this.#cache.get(key);
    const indexValue = this.options.indexBy?.(item);
    if (previous?.indexValue !== undefined && previous.indexValue !== indexValue) {
      this.#unindex(key, previous.indexValue);
    }
    if (indexValue !== undefined) {
      let keys = this.#index.get(indexValue);
      if (!keys) this.#index.set(indexValue, (keys = new Set()));
      keys.add(key);
    }
    this.#cache.set(key, {
      resourceVersion: item.metadata?.resourceVersion,
      indexValue,
      value: this.options.codec ? this.options.codec.encode(item) : item,
    });
    return previous;
  }

  #remove(key: string): void {
    const entry = this.#cache.get(key);
    if (!entry) return;
    this.#cache.delete(key);
    if (entry.indexValue !== undefined) this.#unindex(key, entry.indexValue);
  }

  #unindex(key: string, indexValue: string): void {
    const keys = this.#index.get(indexValue);
    keys?.delete(key);
    if (keys?.size === 0) this.#index.delete(indexValue);
  }

  /** Whether the first list has completed. */
  get hasSynced(): boolean {
    return this.#hasSynced;
  }

  /** How long this informer has tried to sync without success (0 once synced). */
  unsyncedForMs(): number {
    return this.#hasSynced || this.#startedAt === 0 ? 0 : performance.now() - this.#startedAt;
  }

  /** The error that keeps it from syncing, if any. */
  get lastError(): unknown {
    return this.#lastError;
  }

  start(): void {
    this.#startedAt = performance.now();
    this.#stopped = false;
    this.#stopping = new AbortController();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    await this.#loop;
  }

  /** Waits `ms` (options.pause in unit tests); stop() ends the wait at once. */
  async #pause(ms: number): Promise<void> {
    const pause = this.options.pause ?? ((wait, signal) => sleep(wait, undefined, { signal }));
    // stop() aborts the wait: that ends it early, it is not a failure
    await pause(ms, this.#stopping.signal).catch(() => undefined);
  }

  async #run(): Promise<void> {
    let backoffMs = 0;
    // Relists that follow each other closely back off too: an API server whose watch cache
    // keeps expiring must not get a full list in a tight loop from every informer.
    let relistBackoffMs = 0;
    let lastRelistAt = Number.NEGATIVE_INFINITY;
    while (!this.#isStopped()) {
      try {
        if (this.#resourceVersion === '') {
          const sinceLast = performance.now() - lastRelistAt;
          relistBackoffMs =
            sinceLast > RELIST_CALM_MS
              ? 0
              : Math.min(relistBackoffMs === 0 ? 1000 : relistBackoffMs * 2, 30_000);
          if (relistBackoffMs > 0) await this.#pause(relistBackoffMs);
          if (this.#isStopped()) return;
          await this.#relist();
          lastRelistAt = performance.now();
        }
        const reason = await this.#watchOnce();
        backoffMs = 0;
        if (reason === 'expired') this.#resourceVersion = '';
        if (!this.#isStopped()) this.options.onRestart?.(reason);
      } catch (error) {
        if (this.#isStopped()) return;
        // KubeApiError (list) and HttpStatusError (watch) carry the HTTP status as `code`.
        if ((error as { code?: unknown }).code === 410) {
          this.#resourceVersion = '';
          this.options.onRestart?.('expired', error);
          continue;
        }
        this.#lastError = error;
        this.options.onRestart?.('error', error);
        backoffMs = Math.min(backoffMs === 0 ? 1000 : backoffMs * 2, 30_000);
        await this.#pause(backoffMs);
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.options.list();
    const fresh = new Map(list.items.map((item) => [keyOf(item), slim(item)] as const));
    for (const [key, previous] of [...this.#cache]) {
      if (!fresh.has(key)) {
        this.#remove(key);
        this.options.handlers.deleted?.(this.#decode(previous));
      }
    }
    for (const [key, item] of fresh) this.#upsert(key, item);
    this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    this.#lastError = undefined;
    this.#hasSynced = true;
    this.#synced();
  }

  #upsert(key: string, item: T): void {
    const previous = this.#store(key, item);
    if (!previous) this.options.handlers.added?.(item);
    else if (previous.resourceVersion !== item.metadata?.resourceVersion) {
      this.options.handlers.updated?.(item, this.#decode(previous));
    }
  }

  async #watchOnce(): Promise<WatchRestartReason> {
    // An object, so that TypeScript sees the handler's write to it.
    const seen = { expired: false };
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.#resourceVersion,
      allowWatchBookmarks: true,
      // Spread reconnects out so many informers do not re-establish together.
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    };
    if (this.options.labelSelector) query.labelSelector = this.options.labelSelector;
    const onEvent = (type: string, received: unknown): void => {
      const object = received as T & { code?: number };
      if (type === 'ERROR') {
        if (object.code === 410) seen.expired = true;
        return;
      }
      const resourceVersion = object.metadata?.resourceVersion;
      if (resourceVersion) this.#resourceVersion = resourceVersion;
      if (type === BOOKMARK) return;
      const key = keyOf(object);
      if (type === 'DELETED') {
        this.#remove(key);
        this.options.handlers.deleted?.(slim(object));
      } else {
        this.#upsert(key, slim(object));
      }
    };
    try {
      await this.watch(this.options.path, query, onEvent, {
        signal: this.#stopping.signal,
        inactivityMs: this.options.stallTimeoutMs ?? 150_000,
      });
    } catch (error) {
      if (seen.expired) return 'expired';
      if ((error as { name?: string }).name === 'TimeoutError') return 'stalled';
      throw error;
    }
    return seen.expired ? 'expired' : 'closed';
  }
}
