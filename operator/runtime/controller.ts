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

  /** Shuts the queue down and waits for the reconciles in progress to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.#running);
  }

  async #work(): Promise<void> {
    for (;;) {
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
