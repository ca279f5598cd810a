import { setTimeout as sleep } from 'node:timers/promises';

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
  onRestart?: (reason: WatchRestartReason, error?: unknown) => void;
}

const BOOKMARK = 'BOOKMARK';

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
 * resourceVersion, an expired one (410 Gone) relists and emits the differences, errors back off
 * (1 s doubling to 30 s), and a watch that goes silent beyond the stall timeout (no event and no
 * bookmark) is restarted. Handlers see each change once; a relist emits only real differences.
 */
export class Informer<T extends InformedObject> {
  readonly #cache = new Map<string, T>();
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

  constructor(
    private readonly watch: WatchFunction,
    private readonly options: InformerOptions<T>,
  ) {
    this.synced = new Promise((resolve) => {
      this.#synced = resolve;
    });
  }

  get(namespace: string, name: string): T | undefined {
    return this.#cache.get(`${namespace}/${name}`);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  start(): void {
    this.#stopped = false;
    this.#stopping = new AbortController();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let backoffMs = 0;
    while (!this.#isStopped()) {
      try {
        if (this.#resourceVersion === '') await this.#relist();
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
        this.options.onRestart?.('error', error);
        backoffMs = Math.min(backoffMs === 0 ? 1000 : backoffMs * 2, 30_000);
        await sleep(backoffMs, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
      }
    }
  }

  async #relist(): Promise<void> {
    const list = await this.options.list();
    const fresh = new Map(list.items.map((item) => [keyOf(item), slim(item)] as const));
    for (const [key, previous] of this.#cache) {
      if (!fresh.has(key)) {
        this.#cache.delete(key);
        this.options.handlers.deleted?.(previous);
      }
    }
    for (const [key, item] of fresh) this.#upsert(key, item);
    this.#resourceVersion = list.metadata?.resourceVersion ?? '';
    this.#synced();
  }

  #upsert(key: string, item: T): void {
    const previous = this.#cache.get(key);
    this.#cache.set(key, item);
    if (!previous) this.options.handlers.added?.(item);
    else if (previous.metadata?.resourceVersion !== item.metadata?.resourceVersion) {
      this.options.handlers.updated?.(item, previous);
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
        this.#cache.delete(key);
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
