/**
 * client-go's default controller rate limiting: the larger of a per-key exponential backoff
 * (failures of one object slow that object down) and a global token bucket (a burst of
 * failures across many objects cannot flood the API server).
 */
export interface RateLimiter {
  /** How long to wait before this key may be processed again after a failure. */
  when(key: string): number;
  /** Failures recorded for the key since it last succeeded. */
  retries(key: string): number;
  /** The key succeeded: reset its backoff. */
  forget(key: string): void;
}

export class ExponentialBackoff implements RateLimiter {
  readonly #failures = new Map<string, number>();

  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}

  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    return Math.min(this.baseMs * 2 ** failures, this.maxMs);
  }

  retries(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }
}

/** Tokens refill at `perSecond`; a request beyond the bucket waits its turn. */
export class TokenBucket implements RateLimiter {
  #tokens: number;
  #last: number;

  constructor(
    private readonly perSecond = 10,
    private readonly burst = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  when(_key: string): number {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) / 1000) * this.perSecond);
    this.#last = now;
    this.#tokens -= 1;
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.perSecond) * 1000);
  }

  retries(_key: string): number {
    return 0;
  }

  forget(_key: string): void {
    // the bucket is global
  }
}

export class MaxOf implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    return Math.max(...this.limiters.map((limiter) => limiter.when(key)));
  }

  retries(key: string): number {
    return Math.max(...this.limiters.map((limiter) => limiter.retries(key)));
  }

  forget(key: string): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }
}

export function defaultControllerRateLimiter(): RateLimiter {
  return new MaxOf(new ExponentialBackoff(5, 1_000_000), new TokenBucket(10, 100));
}
