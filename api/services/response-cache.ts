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
}

/**
 * Whole answers in Redis, keyed by the data version and a fingerprint of the request. Redis
 * failures never fail a request: a failed read is a miss, a failed write is dropped.
 */
export class ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly options: ResponseCacheOptions,
    private readonly metrics: ApiMetrics,
    private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<CachedAnswer | undefined> {
    if (!this.options.enabled) return undefined;
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
    return { total: total === '' ? undefined : Number(total), body: raw.slice(newline + 1) };
  }

  set(key: string, answer: CachedAnswer): void {
    if (!this.options.enabled || answer.body.length > this.options.maxBytes) return;
    this.redis
      .set(key, `${answer.total ?? ''}\n${answer.body}`, 'EX', this.options.ttlSeconds)
      .catch((error: unknown) => this.logger.debug('response cache write failed', { error }));
  }
}
