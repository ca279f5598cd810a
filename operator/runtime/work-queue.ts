import type { RateLimiter } from './rate-limiter.js';

/** What the queue reports, under controller-runtime's `workqueue_*` metric names. */
export interface WorkQueueObserver {
  added(): void;
  depth(depth: number): void;
  /** Seconds a key waited between being queued and being picked up. */
  queued(seconds: number): void;
  /** Seconds a worker spent on a key. */
  worked(seconds: number): void;
  retried(): void;
}

const silent: WorkQueueObserver = {
  added: () => undefined,
  depth: () => undefined,
  queued: () => undefined,
  worked: () => undefined,
  retried: () => undefined,
};

/**
 * `low`: a periodic resync. Keys added with it wait behind every `normal` key (a change someone
 * made), as in controller-runtime's priority queue, so a new instance is not stuck behind a
 * resync of a thousand unchanged ones.
 */
export type Priority = 'normal' | 'low';

/**
 * A keyed work queue with client-go's guarantees: a key waiting is queued once however often it
 * is added (deduplication); a key is never handed to two workers at once (a key added while it
 * is being processed is queued again when `done` is called); delayed and rate-limited adds;
 * resyncs at low priority (a normal add of a key waiting at low priority moves it up), on at
 * most `lowConcurrency` workers at once.
 */
export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #lowQueue: string[] = [];
  /** The priority of each dirty key. */
  readonly #priority = new Map<string, Priority>();
  readonly #dirty = new Set<string>();
  readonly #processing = new Map<string, number>();
  readonly #enqueuedAt = new Map<string, number>();
  readonly #delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  /** Keys taken at low priority and not yet done. */
  readonly #lowInFlight = new Set<string>();
  #shuttingDown = false;

  constructor(
    private readonly rateLimiter: RateLimiter,
    private readonly observer: WorkQueueObserver = silent,
    /**
     * How many workers may work on resyncs at once. The rest stay free for changes: a reconcile
     * is mostly CPU on one event loop, and a resync wave on every worker would make a new
     * instance's reconcile wait for the loop at each of its requests.
     */
    private readonly lowConcurrency = 1,
  ) {}

  get length(): number {
    return this.#queue.length + this.#lowQueue.length;
  }

  /** Keys being worked on right now. */
  get inFlight(): number {
    return this.#processing.size;
  }

  add(key: string, priority: Priority = 'normal'): void {
    if (this.#shuttingDown) return;
    if (this.#dirty.has(key)) {
      if (priority === 'normal' && this.#priority.get(key) === 'low') this.#promote(key);
      return;
    }
    this.observer.added();
    this.#dirty.add(key);
    this.#priority.set(key, priority);
    this.#enqueuedAt.set(key, performance.now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Adds the key after `delayMs`; an earlier pending add of the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#delayed.set(key, { at, timer });
  }

  /** Adds the key after the rate limiter's delay for it (backoff after a failure). */
  addRateLimited(key: string): void {
    this.observer.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** The key succeeded: its backoff starts over. */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  retries(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /**
   * The next key to work on, or `undefined` once the queue is shut down: queued keys are not
   * handed out after that (the next leader's first list finds every instance again).
   */
  async get(): Promise<string | undefined> {
    if (this.#shuttingDown) return undefined;
    const key = this.#queue.shift() ?? (this.#lowAllowed() ? this.#lowQueue.shift() : undefined);
    if (key !== undefined) return this.#take(key);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #lowAllowed(): boolean {
    return this.#lowInFlight.size < this.lowConcurrency;
  }

  /** The worker finished the key; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    const started = this.#processing.get(key);
    if (started !== undefined) this.observer.worked((performance.now() - started) / 1000);
    this.#processing.delete(key);
    if (this.#lowInFlight.delete(key) && this.#waiters.length > 0) {
      const next = this.#lowQueue.shift();
      if (next !== undefined) this.#waiters.shift()?.(this.#take(next));
    }
    if (this.#dirty.has(key)) this.#push(key);
  }

  /** Stops handing out keys; waiting `get()` calls resolve `undefined`. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #push(key: string): void {
    const low = this.#priority.get(key) === 'low';
    const waiter = !low || this.#lowAllowed() ? this.#waiters.shift() : undefined;
    if (waiter) {
      waiter(this.#take(key));
      return;
    }
    (low ? this.#lowQueue : this.#queue).push(key);
    this.observer.depth(this.length);
  }

  #promote(key: string): void {
    this.#priority.set(key, 'normal');
    const waiting = this.#lowQueue.indexOf(key);
    if (waiting < 0) return; // being processed: queued again at normal priority when done
    this.#lowQueue.splice(waiting, 1);
    this.#push(key);
  }

  #take(key: string): string {
    if (this.#priority.get(key) === 'low') this.#lowInFlight.add(key);
    this.#dirty.delete(key);
    this.#priority.delete(key);
    this.#processing.set(key, performance.now());
    const enqueued = this.#enqueuedAt.get(key);
    this.#enqueuedAt.delete(key);
    if (enqueued !== undefined) this.observer.queued((performance.now() - enqueued) / 1000);
    this.observer.depth(this.length);
    return key;
  }
}
