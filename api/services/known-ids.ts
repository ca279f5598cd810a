import { setTimeout as sleep } from 'node:timers/promises';

/** The shortest time between two reads of the set. */
export const KNOWN_IDS_REFRESH_MS = 250;

/**
 * The ids of the credentials that exist (API key ids, OAuth client ids), so that a flood of
 * made-up credentials costs PostgreSQL a few reads a second instead of one lookup each. An id
 * not in the set waits for the next read (at most one at a time, at most one per interval):
 * a credential created a moment ago still works at its first use, a little later.
 */
export class KnownIds {
  #ids = new Set<string>();
  #lastReadAt = Number.NEGATIVE_INFINITY;
  #next: { startedAt: number; done: Promise<void> } | undefined;

  constructor(
    private readonly read: () => Promise<string[]>,
    private readonly refreshMs = KNOWN_IDS_REFRESH_MS,
    private readonly clock: { now(): number; sleep(ms: number): Promise<unknown> } = {
      now: () => performance.now(),
      sleep: (ms) => sleep(ms),
    },
  ) {}

  async has(id: string): Promise<boolean> {
    if (this.#ids.has(id)) return true;
    const askedAt = this.clock.now();
    const running = this.#next;
    // A read that began before this question may have missed an id created just now.
    if (running && running.startedAt < askedAt) {
      await running.done;
      if (this.#ids.has(id)) return true;
    }
    await (this.#next ?? this.#schedule()).done;
    return this.#ids.has(id);
  }

  #schedule(): { startedAt: number; done: Promise<void> } {
    const wait = Math.max(0, this.#lastReadAt + this.refreshMs - this.clock.now());
    const next = {
      startedAt: this.clock.now() + wait,
      done: (async () => {
        if (wait > 0) await this.clock.sleep(wait);
        try {
          this.#ids = new Set(await this.read());
        } finally {
          this.#lastReadAt = this.clock.now();
          this.#next = undefined;
        }
      })(),
    };
    this.#next = next;
    return next;
  }
}
