import { Router, type Express } from 'express';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../../lib/logging/logger.js';
import type { Database } from '../db/database.js';
import type { ApiMetrics } from '../metrics.js';
import { adminOnly, type AdminLimits } from '../routes/admin-auth.js';
import { exportRoutes } from '../routes/exports.js';
import { ADMIN_BASE, importRoutes } from '../routes/imports.js';
import type { AuthService } from '../services/auth-service.js';
import { ExportSlots } from '../exports/export-slots.js';
import { redisKeys } from '../keys.js';
import { importQueue, type ImportJobData } from './import-queue.js';
import { ImportMetrics } from './import-metrics.js';

export interface ImportsApiDependencies {
  databaseUrl: string;
  redisUrl: string;
  database: Database;
  metrics: ApiMetrics;
  auth: AuthService;
  limits: AdminLimits;
  maxUploadBytes: number;
  exportConcurrency: number;
  logger: Logger;
  /** How often the import metrics are read (IMPORT_METRICS_REFRESH_MS). */
  metricsRefreshMs: number;
}

/**
 * Imports and exports on the API: `POST /rosterhub/v1/imports`, `GET /rosterhub/v1/imports/{id}`
 * and `GET /rosterhub/v1/exports`, admin credentials only, plus the import metrics. Owns a
 * BullMQ queue handle (producer side; the worker process runs the jobs). `close()` is idempotent.
 */
export class ImportsApi {
  readonly queue: Queue<ImportJobData>;
  readonly #redis: Redis;
  readonly #metrics: ImportMetrics;
  #closing: Promise<void> | undefined;

  constructor(private readonly deps: ImportsApiDependencies) {
    // fail fast while Redis is down, so that a request answers instead of hanging
    this.#redis = new Redis(deps.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      disableClientInfo: true,
      lazyConnect: true,
    });
    // while Redis is down each request that needs it fails with 503, and /readyz says why
    this.#redis.on('error', () => undefined);
    this.queue = importQueue(this.#redis);
    this.queue.on('error', () => undefined);
    this.#metrics = new ImportMetrics(deps.metrics.registry, deps.database.pool, this.queue, deps.logger);
  }

  async start(): Promise<void> {
    // not fatal: ioredis keeps reconnecting (see the constructor)
    await this.#redis.connect().catch(() => undefined);
    this.#metrics.start(this.deps.metricsRefreshMs);
  }

  routes(app: Express): void {
    const router = Router();
    importRoutes(router, {
      db: this.deps.database.pool,
      queue: this.queue,
      maxUploadBytes: this.deps.maxUploadBytes,
      admin: {
        submit: adminOnly(this.deps, 'import', 'actions'),
        status: adminOnly(this.deps, 'import', 'reads'),
      },
    });
    exportRoutes(
      router,
      this.deps.databaseUrl,
      adminOnly(this.deps, 'export', 'actions'),
      new ExportSlots(this.#redis, redisKeys.exportSlots(), this.deps.exportConcurrency),
    );
    app.use(ADMIN_BASE, router);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#metrics.stop();
      await this.queue
        .close()
        .catch((error: unknown) => this.deps.logger.warn('cannot close the import queue cleanly', { error }));
      this.#redis.disconnect();
    })();
    return this.#closing;
  }
}
