import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
import { redisKeys } from '../keys.js';
import type { ApiMetrics } from '../metrics.js';

export interface CachedAnswer {
  /** X-Total-Count of a collection answer; undefined for single objects. */
  readonly total: number | undefined;
  readonly body: string;
}

export interface ResponseCacheOptions {
  enabled: boolean;
  ttlSeconds: number;
  /** Bodies larger than this are not cached (they would crowd Redis out). */
  maxBytes: number;
  /** Characters of answers also kept in this process (most recently used first); 0 turns it off. */
  localBudget: number;
  /**
   * Bytes of answers all processes together may keep in Redis at once. The Redis also holds the
   * import queue and the tokens, and refuses writes when full (noeviction, as BullMQ needs), so
   * the cache stops growing at this budget instead of starving them.
   */
  redisBudget: number;
}

/** The budget is counted in buckets of this many seconds; an answer counts in its bucket until the cache's TTL is over. */
const BUCKET_SECONDS = 60;

/**
 * Writes an answer only while the bytes written within the TTL (the live buckets, KEYS[2..])
 * and this one fit the budget; counts it in the current bucket (KEYS[2]). Expired answers leave
 * their bucket with it, so the sum is an upper bound of what the cache holds.
 */
const SET_WITHIN_BUDGET = `local size = tonumber(ARGV[3])
local used = 0
for i = 2, #KEYS do used = used + tonumber(redis.call('GET', KEYS[i]) or '0') end
if used + size > tonumber(ARGV[4]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('INCRBY', KEYS[2], size)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]) + ${BUCKET_SECONDS})
return 1`;

/** A small in-process LRU in front of Redis, so the hottest answers skip the Redis round trip. */
class LocalAnswers {
  readonly #entries = new Map<string, CachedAnswer>();
  #size = 0;

  constructor(private readonly budget: number) {}

  get(key: string): CachedAnswer | undefined {
    const answer = this.#entries.get(key);
    if (answer) {
      this.#entries.delete(key);
      this.#entries.set(key, answer);
    }
    return answer;
  }

  set(key: string, answer: CachedAnswer): void {
    if (answer.body.length > this.budget / 4 || this.#entries.has(key)) return;
    this.#entries.set(key, answer);
    this.#size += answer.body.length;
    for (const [oldest, entry] of this.#entries) {
      if (this.#size <= this.budget) break;
      this.#entries.delete(oldest);
      this.#size -= entry.body.length;
    }
  }
}

/**
 * Whole answers in Redis, keyed by the data version and a fingerprint of the request. Redis
 * failures never fail a request: a failed read is a miss, a failed write is dropped.
 */
export class ResponseCache {
  readonly #local: LocalAnswers | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: ResponseCacheOptions,
    private readonly metrics: ApiMetrics,
    private readonly logger: Logger,
  ) {
    this.#local = options.localBudget > 0 ? new LocalAnswers(options.localBudget) : undefined;
  }

  async get(key: string): Promise<CachedAnswer | undefined> {
    if (!this.options.enabled) return undefined;
    const local = this.#local?.get(key);
    if (local) {
      this.metrics.cacheLookupsTotal.inc({ cache: 'response', result: 'memo' });
      return local;
    }
    let raw: string | null;
    try {
      raw = await this.redis.get(key);
    } catch (error) {
      this.metrics.cacheLookupsTotal.inc({ cache: 'response', result: 'error' });
      this.logger.debug('response cache read failed', { error });
      return undefined;
    }
    this.metrics.cacheLookupsTotal.inc({ cache: 'response', result: raw === null ? 'miss' : 'hit' });
    if (raw === null) return undefined;
    const newline = raw.indexOf('\n');
    const total = raw.slice(0, newline);
    const answer = { total: total === '' ? undefined : Number(total), body: raw.slice(newline + 1) };
    this.#local?.set(key, answer);
    return answer;
  }

  set(key: string, answer: CachedAnswer): void {
    if (!this.options.enabled || answer.body.length > this.options.maxBytes) return;
    this.#local?.set(key, answer);
    const value = `${answer.total ?? ''}\n${answer.body}`;
    const { ttlSeconds, redisBudget } = this.options;
    const bucket = Math.floor(Date.now() / 1000 / BUCKET_SECONDS);
    const buckets = Array.from({ length: Math.ceil(ttlSeconds / BUCKET_SECONDS) + 1 }, (_, age) =>
      redisKeys.responseBytes(bucket - age),
    );
    this.redis
      .eval(
        SET_WITHIN_BUDGET,
        1 + buckets.length,
        key,
        ...buckets,
        value,
        ttlSeconds,
        Buffer.byteLength(value),
        redisBudget,
      )
      .then((written) => {
        if (Number(written) !== 1)
          this.metrics.cacheLookupsTotal.inc({ cache: 'response', result: 'over_budget' });
      })
      .catch((error: unknown) => this.logger.debug('response cache write failed', { error }));
  }
}
