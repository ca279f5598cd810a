import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
import { redisKeys } from '../keys.js';

export interface RateLimitOptions {
  /** Requests per window and client; 0 turns limiting off. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly retryAfterSeconds: number;
}

/** INCR, and set the expiry on the window's first request: one command, one round trip. */
const HIT_SCRIPT = `local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * A fixed-window counter per client in Redis (one scripted INCR+EXPIRE), shared by every API
 * process. When Redis cannot answer, requests are let through: an outage of the limiter must
 * not become an outage of the API.
 */
export class RateLimiter {
  #lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimitOptions,
    private readonly logger: Logger,
    private readonly namespace: () => string = () => '',
  ) {}

  get limit(): number {
    return this.options.limit;
  }

  async hit(clientId: string): Promise<RateLimitVerdict> {
    const { limit, windowSeconds } = this.options;
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    if (limit <= 0) return { allowed: true, remaining: Number.MAX_SAFE_INTEGER, retryAfterSeconds };
    const key = redisKeys.rateLimit(this.namespace(), clientId, window);
    try {
      const count = Number(await this.redis.eval(HIT_SCRIPT, 1, key, windowSeconds + 1));
      return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSeconds };
    } catch (error) {
      if (now - this.#lastWarning > 60_000) {
        this.#lastWarning = now;
        this.logger.warn('rate limiter unavailable (Redis); requests are not limited', { error });
      }
      return { allowed: true, remaining: limit, retryAfterSeconds };
    }
  }
}
