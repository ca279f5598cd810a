import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { WorkQueue } from './work-queue.js';

/** What a reconcile asks for: nothing (done until something changes) or a look again later. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult>;

export interface ControllerObserver {
  reconciled(result: 'success' | 'error' | 'requeue_after', seconds: number): void;
  activeWorkers(count: number): void;
  failed(key: string, error: unknown, retries: number): void;
}

/**
 * Runs `workers` loops that take keys from the queue and reconcile them: success forgets the
 * key's backoff (and requeues when asked), failure requeues it rate-limited. Errors never stop
 * a worker.
 */
export class Controller {
  #running: Promise<void>[] = [];
  #active = 0;

  constructor(
    readonly name: string,
    private readonly queue: WorkQueue,
    private readonly reconcile: Reconciler,
    private readonly observer: ControllerObserver,
    private readonly workers = 2,
  ) {}

  start(): void {
    if (this.#running.length > 0) return;
    for (let i = 0; i < this.workers; i += 1) this.#running.push(this.#work());
  }

  /**
   * Stops handing out work (the queue shuts down) and waits for the reconciles in progress, at
   * most `deadlineMs`; true when they all finished in time.
   */
  async stop(deadlineMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.queue.shutDown();
    const finished = Promise.all(this.#running).then(() => true);
    if (!Number.isFinite(deadlineMs)) return finished;
    const timeout = new AbortController();
    const result = await Promise.race([
      finished,
      sleep(deadlineMs, false, { signal: timeout.signal }).catch(() => false),
    ]);
    timeout.abort();
    return result;
  }

  async #work(): Promise<void> {
    for (;;) {
      // A reconcile that finds nothing to change does no I/O, and a queued key is handed out at
      // once: without a turn of the event loop here, a resync of every instance would run as
      // one chain of microtasks, starving timers and sockets (the Lease renewal) until it ends.
      await nextTurn();
      const key = await this.queue.get();
      if (key === undefined) return;
      this.#active += 1;
      this.observer.activeWorkers(this.#active);
      const started = performance.now();
      try {
        const result = await this.reconcile(key);
        this.queue.forget(key);
        if (result.requeueAfterMs !== undefined) {
          this.queue.addAfter(key, result.requeueAfterMs);
          this.observer.reconciled('requeue_after', (performance.now() - started) / 1000);
        } else {
          this.observer.reconciled('success', (performance.now() - started) / 1000);
        }
      } catch (error) {
        this.observer.reconciled('error', (performance.now() - started) / 1000);
        this.observer.failed(key, error, this.queue.retries(key));
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
        this.#active -= 1;
        this.observer.activeWorkers(this.#active);
      }
    }
  }
}
