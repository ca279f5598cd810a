import type { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
import { redisKeys } from '../keys.js';

export interface RateLimitOptions {
  /** Requests per window and key; 0 turns limiting off. */
  limit: number;
  windowSeconds: number;
}

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

/** Requests a process reserves at once: a hundredth of the limit, so a busy key costs Redis a round trip per hundredth. */
const chunkOf = (limit: number): number => Math.max(1, Math.min(1000, Math.ceil(limit / 100)));

interface KeyWindow {
  window: number;
  /** Requests reserved in Redis by this process and not yet admitted. */
  reserved: number;
  /** The shared count as Redis last reported it (every process's reservations). */
  shared: number;
  /** Redis said the window is used up. */
  exhausted: boolean;
  /** Admitted while Redis could not be reached (each process then limits on its own). */
  unshared: number;
  reserving: Promise<void> | undefined;
}

/**
 * A fixed-window limit per key, exact across every API process: a process admits a request only
 * from requests it has reserved in Redis (one scripted INCRBY reserves a hundredth of the limit),
 * so all processes together never admit more than the limit, not even at the start of a window;
 * a busy key costs one round trip per reservation, not per request. Reservations a process does
 * not use by the window's end are lost, so a window may admit a little less. When Redis cannot
 * answer, each process limits on what it admitted itself.
 */
export class RateLimiter {
  readonly #keys = new Map<string, KeyWindow>();
  #lastWarning = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RateLimitOptions,
    private readonly logger: Logger,
    private readonly namespace: () => string,
    /** Part of the Redis key: limiters with different options must not share counters. */
    private readonly name = 'requests',
  ) {}

  get limit(): number {
    return this.options.limit;
  }

  /** Counts a request of `key` and says whether it is within the limit. */
  async hit(key: string): Promise<RateLimitVerdict> {
    return this.#decide(key, true);
  }

  /** Whether a request of `key` would be within the limit, without counting one. */
  async check(key: string): Promise<RateLimitVerdict> {
    return this.#decide(key, false);
  }

  async #decide(key: string, count: boolean): Promise<RateLimitVerdict> {
    const { limit, windowSeconds } = this.options;
    const windowMs = windowSeconds * 1000;
    const window = Math.floor(Date.now() / windowMs);
    const retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - Date.now()) / 1000));
    if (limit <= 0) return { allowed: true, remaining: Number.MAX_SAFE_INTEGER, retryAfterSeconds };
    const state = this.#window(key, window);
    for (;;) {
      const remaining = Math.max(0, limit - state.shared + state.reserved - (count ? 1 : 0));
      if (state.reserved > 0) {
        if (count) state.reserved -= 1;
        return { allowed: true, remaining, retryAfterSeconds };
      }
      if (state.exhausted) return { allowed: false, remaining: 0, retryAfterSeconds };
      if (state.unshared > 0 || !(await this.#reserve(key, state))) {
        // Redis is out of reach: this process's own count is the limit
        if (state.unshared >= limit) return { allowed: false, remaining: 0, retryAfterSeconds };
        if (count) state.unshared += 1;
        return { allowed: true, remaining: limit - state.unshared, retryAfterSeconds };
      }
    }
  }

  #window(key: string, window: number): KeyWindow {
    let state = this.#keys.get(key);
    if (state?.window !== window) {
      if (this.#keys.size > 100_000) this.#keys.clear();
      state = { window, reserved: 0, shared: 0, exhausted: false, unshared: 0, reserving: undefined };
      this.#keys.set(key, state);
    }
    return state;
  }

  /** Reserves a chunk (shared by concurrent callers); false when Redis cannot be reached. */
  async #reserve(key: string, state: KeyWindow): Promise<boolean> {
    state.reserving ??= (async () => {
      const { limit, windowSeconds } = this.options;
      const chunk = chunkOf(limit);
      try {
        const total = Number(
          await this.redis.eval(
            ADD_SCRIPT,
            1,
            redisKeys.rateLimit(this.namespace(), `${this.name}:${key}`, state.window),
            chunk,
            windowSeconds + 1,
          ),
        );
        const granted = Math.max(0, Math.min(chunk, limit - (total - chunk)));
        state.shared = total;
        state.reserved += granted;
        if (granted < chunk) state.exhausted = true;
      } catch (error) {
        this.#warn(error);
        throw error;
      } finally {
        state.reserving = undefined;
      }
    })();
    try {
      await state.reserving;
      return true;
    } catch {
      return false;
    }
  }

  #warn(error: unknown): void {
    const now = Date.now();
    if (now - this.#lastWarning > 60_000) {
      this.#lastWarning = now;
      this.logger.warn('rate limiter cannot reach Redis; limits are counted per process', { error });
    }
  }

  /** Nothing is pending: reservations live in Redis. Kept for the shutdown sequence. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
