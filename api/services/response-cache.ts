import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
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
}

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
    this.redis
      .set(key, `${answer.total ?? ''}\n${answer.body}`, 'EX', this.options.ttlSeconds)
      .catch((error: unknown) => this.logger.debug('response cache write failed', { error }));
  }
}
