import { Router, type Express } from 'express';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Database } from '../db/database.js';
import type { ApiMetrics } from '../metrics.js';
import { adminOnly, type AdminLimits } from '../routes/admin-auth.js';
import { exportRoutes } from '../routes/exports.js';
import { ADMIN_BASE, importRoutes } from '../routes/imports.js';
import type { AuthService } from '../services/auth-service.js';
import { ExportSlots } from '../exports/export-slots.js';
import { redisKeys } from '../keys.js';
import { importQueue, type ImportJobData } from './import-queue.js';
import { registerImportMetrics } from './import-metrics.js';

export interface ImportsApiDependencies {
  databaseUrl: string;
  redisUrl: string;
  database: Database;
  metrics: ApiMetrics;
  auth: AuthService;
  limits: AdminLimits;
  maxUploadBytes: number;
  exportConcurrency: number;
}

/**
 * Imports and exports on the API: `POST /rosterhub/v1/imports`, `GET /rosterhub/v1/imports/{id}`
 * and `GET /rosterhub/v1/exports`, admin credentials only, plus the import metrics. Owns a
 * BullMQ queue handle (producer side; the worker process runs the jobs). `close()` is idempotent.
 */
export class ImportsApi {
  readonly queue: Queue<ImportJobData>;
  readonly #redis: Redis;
  #closing: Promise<void> | undefined;

  constructor(private readonly deps: ImportsApiDependencies) {
    // fail fast while Redis is down, so that a request answers instead of hanging
    this.#redis = new Redis(deps.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      disableClientInfo: true,
      lazyConnect: true,
    });
    this.#redis.on('error', () => undefined);
    this.queue = importQueue(this.#redis);
    this.queue.on('error', () => undefined);
    registerImportMetrics(deps.metrics.registry, deps.database.pool, this.queue);
  }

  async start(): Promise<void> {
    await this.#redis.connect().catch(() => undefined);
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
      await this.queue.close().catch(() => undefined);
      this.#redis.disconnect();
    })();
    return this.#closing;
  }
}
