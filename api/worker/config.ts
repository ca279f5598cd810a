import type { ConfigOf, Setting } from '../../lib/config/settings.js';
import { loadConnectedConfig } from '../../lib/config/connection-urls.js';
import { integer } from '../../lib/config/parsers.js';
import { apiSettings } from '../config.js';
import { DEFAULT_ZIP_LIMITS } from '../imports/package-reader.js';

/** Every setting of the import worker (`rosterhub worker`). */
export const workerSettings = {
  databaseUrl: apiSettings.databaseUrl,
  redisUrl: apiSettings.redisUrl,
  migrateOnStart: apiSettings.migrateOnStart,
  logLevel: apiSettings.logLevel,
  logFormat: apiSettings.logFormat,
  lockDurationMs: {
    env: 'WORKER_LOCK_DURATION_MS',
    doc: 'How long a job lock lasts without renewal: a killed worker’s job is picked up again after about this long',
    default: 30_000,
    parse: integer({ min: 1000, max: 600_000 }),
  } satisfies Setting<number>,
  reconcileIntervalMs: {
    env: 'WORKER_RECONCILE_INTERVAL_MS',
    doc: 'How often the worker looks for import jobs the queue lost (e.g. Redis restarted without persistence) and queues them again',
    default: 30_000,
    parse: integer({ min: 500, max: 3_600_000 }),
  } satisfies Setting<number>,
  shutdownTimeoutMs: {
    env: 'WORKER_SHUTDOWN_TIMEOUT_MS',
    doc: 'How long the worker waits on SIGTERM for its running import before giving it up to another worker (set it a little under the termination grace period)',
    default: 25_000,
    parse: integer({ min: 0, max: 3_600_000 }),
  } satisfies Setting<number>,
  maxUncompressedBytes: {
    env: 'IMPORT_MAX_UNCOMPRESSED_BYTES',
    doc: 'Largest total a package’s files may inflate to; a zip beyond it, with more than 1000 entries, or with a file that expands more than 200 times is refused before it is read',
    default: DEFAULT_ZIP_LIMITS.uncompressedBytes,
    parse: integer({ min: 1024, max: 2 ** 50 }),
  } satisfies Setting<number>,
};

export type WorkerConfig = ConfigOf<typeof workerSettings>;

export function loadWorkerConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): WorkerConfig {
  return loadConnectedConfig(workerSettings, env);
}
