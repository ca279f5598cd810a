import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
import type { PageKey, RosterRepository, RowSet } from '../data/roster-repository.js';
import { redisKeys } from '../keys.js';
import type { ApiMetrics } from '../metrics.js';

export interface PageIndexOptions {
  /** Rows between two stored boundary keys. */
  stride: number;
  ttlSeconds: number;
}

/** Where a page starts: after a key (or the beginning), then skip `skip` rows. */
export interface PagePosition {
  readonly after: PageKey | undefined;
  readonly skip: number;
}

const MEMO_ENTRIES = 200;

/**
 * Per data version and row set: the row count (so X-Total-Count is not a count per request) and
 * the key of every `stride`-th row in the requested order (so `offset=900000` becomes a keyset
 * seek plus a skip of less than `stride` rows). Both are computed once, kept in Redis for every
 * API process, and memoised in this process. Concurrent misses share one computation.
 */
export class PageIndex {
  readonly #memo = new Map<string, unknown>();
  readonly #inflight = new Map<string, Promise<unknown>>();

  constructor(
    private readonly redis: Redis,
    private readonly repository: RosterRepository,
    private readonly options: PageIndexOptions,
    private readonly metrics: ApiMetrics,
    private readonly logger: Logger,
  ) {}

  count(version: string, shape: string, set: RowSet): Promise<number> {
    return this.#cached('count', redisKeys.count(version, shape), () => this.repository.count(set));
  }

  /** The position of `offset`; keyset only for sorts on a column that is never null. */
  async position(version: string, shape: string, set: RowSet, offset: number): Promise<PagePosition> {
    const stride = this.options.stride;
    const keysetable = set.sort.field.kind === 'id' || !set.sort.field.nullable;
    if (offset < stride || !keysetable) return { after: undefined, skip: offset };
    const keys = await this.#cached('pages', redisKeys.pageBoundaries(version, shape), () =>
      this.repository.boundaries(set, stride),
    );
    const block = Math.min(Math.floor(offset / stride), keys.length);
    if (block === 0) return { after: undefined, skip: offset };
    return { after: keys[block - 1], skip: offset - block * stride };
  }

  async #cached<T>(cache: string, key: string, compute: () => Promise<T>): Promise<T> {
    if (this.#memo.has(key)) {
      this.metrics.cacheLookupsTotal.inc({ cache, result: 'memo' });
      return this.#memo.get(key) as T;
    }
    const running = this.#inflight.get(key);
    if (running) return running as Promise<T>;
    const work = this.#load(cache, key, compute).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, work);
    const value = await work;
    this.#memo.set(key, value);
    if (this.#memo.size > MEMO_ENTRIES) {
      const oldest = this.#memo.keys().next();
      if (!oldest.done) this.#memo.delete(oldest.value);
    }
    return value;
  }

  async #load<T>(cache: string, key: string, compute: () => Promise<T>): Promise<T> {
    try {
      const stored = await this.redis.get(key);
      if (stored !== null) {
        this.metrics.cacheLookupsTotal.inc({ cache, result: 'hit' });
        return JSON.parse(stored) as T;
      }
      this.metrics.cacheLookupsTotal.inc({ cache, result: 'miss' });
    } catch (error) {
      this.metrics.cacheLookupsTotal.inc({ cache, result: 'error' });
      this.logger.debug(`${cache} cache read failed`, { error });
    }
    const value = await compute();
    this.redis
      .set(key, JSON.stringify(value), 'EX', this.options.ttlSeconds)
      .catch((error: unknown) => this.logger.debug(`${cache} cache write failed`, { error }));
    return value;
  }
}
