import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../lib/logging/logger.js';
import { Database } from '../api/db/database.js';

/**
 * A Job may start before its database accepts its connections: a StatefulSet still starting, a
 * cloud server still provisioning, or a NetworkPolicy engine that has not admitted the new Pod
 * yet (connections refused for its first second). Retry with backoff instead of failing.
 */
export async function openWhenReachable(
  url: string,
  logger: Logger,
  seconds: number,
): Promise<Database | undefined> {
  const deadline = Date.now() + seconds * 1000;
  let delayMs = 500;
  for (;;) {
    try {
      return await Database.open({ url, poolMax: 2 });
    } catch (error) {
      if (Date.now() + delayMs > deadline) {
        logger.error(
          `PostgreSQL is not reachable (DATABASE_URL) after ${seconds} s: ${(error as Error).message}`,
        );
        return undefined;
      }
      logger.warn(`waiting for PostgreSQL: ${(error as Error).message}`, { retryInMs: delayMs });
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 10_000);
    }
  }
}

/** Waits (up to `seconds`) until PostgreSQL accepts a connection; false when it never did. */
export async function waitUntilReachable(url: string, logger: Logger, seconds: number): Promise<boolean> {
  const database = await openWhenReachable(url, logger, seconds);
  await database?.close();
  return database !== undefined;
}
