import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `probe` every `intervalMs` until it returns something other than false, null or
 * undefined, and returns that. There is deliberately no time limit: jest's test timeout bounds
 * it. Errors thrown by `probe` end the wait (catch the expected ones inside the probe).
 */
export async function waitFor<T>(
  probe: () => Promise<T | false | null | undefined>,
  intervalMs = 100,
): Promise<T> {
  for (;;) {
    const result = await probe();
    if (result !== false && result !== null && result !== undefined) return result;
    await sleep(intervalMs, undefined, { ref: false });
  }
}
