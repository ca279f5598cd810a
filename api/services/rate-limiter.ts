import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
import { redisKeys } from '../keys.js';

export interface RateLimitOptions {
  /** Requests per window and client; 0 turns limiting off. */
  limit: number;
  windowSeconds: number;
}

/** How often, in ms, this process adds its counts to the shared ones in Redis. */
const FLUSH_MS = 100;

export interface RateLimitVerdict {
  readonly allowed: boolean;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly retryAfterSeconds: number;
}

/** INCRBY, and set the expiry when the window's counter is new: one command, one round trip. */
const ADD_SCRIPT = `local count = redis.call('INCRBY', KEYS[1], ARGV[1])
if count == tonumber(ARGV[1]) then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return count`;

interface ClientWindow {
  window: number;
  /** The shared count as Redis last reported it (all processes). */
  shared: number;
  /** Requests admitted here and not yet added to Redis. */
  pending: number;
}

/**
 * A fixed-window counter per client, shared by every API process through Redis. Each process
 * counts locally and adds its counts to Redis every FLUSH_MS (one scripted INCRBY per active
 * client), so a request costs no Redis round trip; a client's own process sees its requests at
 * once, other processes' within one flush. When Redis cannot answer, each process still limits
 * on what it has counted.
 */
export class RateLimiter {
  readonly #clients = new Map<string, ClientWindow>();
  #timer: NodeJS.Timeout | undefined;
  #lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimitOptions,
    private readonly logger: Logger,
    private readonly namespace: () => string,
  ) {}

  get limit(): number {
    return this.options.limit;
  }

  /** Counts a request of `clientId` and says whether it is within the limit. */
  hit(clientId: string): RateLimitVerdict {
    const { limit, windowSeconds } = this.options;
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
    if (limit <= 0) return { allowed: true, remaining: Number.MAX_SAFE_INTEGER, retryAfterSeconds };
    let state = this.#clients.get(clientId);
    if (state?.window !== window) {
      state = { window, shared: 0, pending: 0 };
      this.#clients.set(clientId, state);
    }
    const used = state.shared + state.pending;
    if (used >= limit) return { allowed: false, remaining: 0, retryAfterSeconds };
    state.pending += 1;
    this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS).unref();
    return { allowed: true, remaining: Math.max(0, limit - used - 1), retryAfterSeconds };
  }

  /** Adds the pending counts to Redis and learns the shared totals. */
  async flush(): Promise<void> {
    this.#timer = undefined;
    const current = Math.floor(Date.now() / (this.options.windowSeconds * 1000));
    const work: Promise<void>[] = [];
    for (const [clientId, state] of this.#clients) {
      if (state.window < current && state.pending === 0) {
        this.#clients.delete(clientId);
        continue;
      }
      if (state.pending === 0) continue;
      const count = state.pending;
      state.pending = 0;
      const key = redisKeys.rateLimit(this.namespace(), clientId, state.window);
      work.push(
        this.redis.eval(ADD_SCRIPT, 1, key, count, this.options.windowSeconds + 1).then(
          (total) => {
            state.shared = Math.max(state.shared, Number(total));
          },
          (error: unknown) => {
            state.shared += count;
            this.#warn(error);
          },
        ),
      );
    }
    await Promise.all(work);
  }

  #warn(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastWarning > 60_000) {
      this.#lastWarning = now;
      this.logger.warn('rate limiter cannot reach Redis; limits are counted per process', { error });
    }
  }

  /** Flushes what is pending and stops the timer. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await this.flush();
  }
}
