import type { Logger } from '../logging/logger.js';

interface Step {
  name: string;
  close: () => Promise<void> | void;
}

/**
 * What a process has opened so far, in order. A start that fails part-way and a shutdown close
 * the same list in reverse (last opened, first closed), each step on its own: a step that fails
 * is logged with its name and the next still runs. Modelled on BullMQ's `Worker.close()`.
 */
export class OpenedResources {
  readonly #steps: Step[] = [];
  #closing: Promise<boolean> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Records `resource` as opened, to be closed by `close(resource)`; returns it. */
  add<T>(name: string, resource: T, close: (resource: T) => Promise<void> | void): T {
    this.#steps.push({ name, close: () => close(resource) });
    return resource;
  }

  /** Resolves `true` when every step closed without an error. Idempotent. */
  closeAll(): Promise<boolean> {
    this.#closing ??= this.#closeInReverse();
    return this.#closing;
  }

  async #closeInReverse(): Promise<boolean> {
    let clean = true;
    for (const step of this.#steps.reverse()) {
      try {
        await step.close();
        this.logger.debug(`closed ${step.name}`);
      } catch (error) {
        clean = false;
        this.logger.warn(`cannot close ${step.name} cleanly`, { error });
      }
    }
    return clean;
  }
}
