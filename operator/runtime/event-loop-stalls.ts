import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Reports when the event loop was blocked for longer than `thresholdMs` within a window: the
 * operator's reconciles, watches and lease renewals share one loop, so a long synchronous stretch
 * delays all of them, and past the renew deadline the leader loses its lease. `stop()` is
 * idempotent.
 */
export class EventLoopStalls {
  readonly #histogram: ReturnType<typeof monitorEventLoopDelay>;
  readonly #timer: NodeJS.Timeout;

  constructor(
    onStall: (stall: { maxMs: number; windowMs: number }) => void,
    { thresholdMs = 1000, windowMs = 5000 }: { thresholdMs?: number; windowMs?: number } = {},
  ) {
    this.#histogram = monitorEventLoopDelay({ resolution: 20 });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      const maxMs = Math.round(this.#histogram.max / 1e6);
      this.#histogram.reset();
      if (maxMs > thresholdMs) onStall({ maxMs, windowMs });
    }, windowMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}
