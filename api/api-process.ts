import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { connectionTarget } from '../lib/config/connection-urls.js';
import type { Logger } from '../lib/logging/logger.js';
import { OpenedResources } from '../lib/process/opened-resources.js';
import { createApp } from './app.js';
import type { ApiConfig } from './config.js';
import { Database } from './db/database.js';
import { migrate, pendingMigrations } from './db/migrate.js';
import { Readiness } from './health/readiness.js';
import { ImportsApi } from './imports/imports-api.js';
import { closeGracefully, listen } from './http-server.js';
import { createHealthApp } from './health-app.js';
import { ApiMetrics } from './metrics.js';
import { OneRosterApi } from './oneroster-api.js';
import { createRedis, waitUntilReady } from './redis.js';

export interface ApiProcessOptions {
  config: ApiConfig;
  logger: Logger;
  /** Extra routes (the OneRoster API mounts itself here). */
  routes?: (app: Express) => void;
}

/** Where a start-up failure happened, so the message can say what to fix. */
export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** Why `listen` failed, in words that say which setting to change. */
function listenFailure(error: unknown, host: string, port: number, setting: string): StartupError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'EADDRINUSE' ? `port ${port} is already in use (${setting})` : (error as Error).message;
  return new StartupError(`cannot listen on ${host}:${port}: ${reason}`, { cause: error });
}

/**
 * The API process: opens PostgreSQL (migrating under a lock when configured), Redis, the
 * health server (probes and /metrics, HEALTH_PORT) and the public server (PORT). A start
 * that fails closes what it had opened, in reverse order; shutdown closes the same list.
 * `shutdown()` is idempotent.
 */
export class ApiProcess {
  #shutdown: Promise<boolean> | undefined;

  private constructor(
    private readonly options: ApiProcessOptions,
    private readonly opened: OpenedResources,
    readonly database: Database,
    readonly redis: Redis,
    readonly readiness: Readiness,
    readonly metrics: ApiMetrics,
    readonly oneRoster: OneRosterApi,
    readonly imports: ImportsApi,
    readonly server: Server,
    /** The public server's address: the OneRoster API and the admin endpoints. */
    readonly address: AddressInfo,
    /** The health server's address: /healthz, /readyz, /health and /metrics. */
    readonly healthAddress: AddressInfo,
  ) {}

  static async start(options: ApiProcessOptions): Promise<ApiProcess> {
    const opened = new OpenedResources(options.logger);
    try {
      return await ApiProcess.#open(options, opened);
    } catch (error) {
      await opened.closeAll();
      throw error;
    }
  }

  static async #open(options: ApiProcessOptions, opened: OpenedResources): Promise<ApiProcess> {
    const { config, logger } = options;
    const metrics = new ApiMetrics();
    let database: Database;
    try {
      database = await Database.open({
        url: config.databaseUrl,
        poolMax: config.databasePoolMax,
        statementTimeoutMs: config.queryTimeoutMs,
        poolMode: config.databasePoolMode,
      });
    } catch (error) {
      throw new StartupError(
        `cannot connect to PostgreSQL at ${connectionTarget(config.databaseUrl)} (DATABASE_URL): ${(error as Error).message}`,
        { cause: error },
      );
    }
    opened.add('PostgreSQL', database, (db) => db.close());
    if (config.migrateOnStart) {
      try {
        const applied = await migrate(database, config.databaseUrl);
        logger.info(
          applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is current',
          { migrations: applied },
        );
      } catch (error) {
        throw new StartupError(`database migration failed: ${(error as Error).message}`, { cause: error });
      }
    }
    metrics.observeDbConnections(() => database.activeConnections());
    const redis = opened.add('Redis', createRedis(config.redisUrl, metrics), (client) =>
      client.quit().then(
        () => undefined,
        () => client.disconnect(),
      ),
    );
    // Redis down at start-up is not fatal (readiness reports it and the client reconnects), but
    // a healthy Redis should be connected before the first request arrives.
    if (!(await waitUntilReady(redis, 3000))) {
      logger.warn('Redis is not reachable yet (REDIS_URL); the API starts not ready and keeps reconnecting');
    }
    const dependencies = {
      database: () => database.ping(),
      redis: async () => {
        await redis.ping();
      },
    };
    const readiness = new Readiness({
      dependencies,
      pendingMigrations: () => pendingMigrations(database),
      timeoutMs: config.healthCheckTimeoutMs,
    });
    const oneRoster = opened.add(
      'the OneRoster API',
      new OneRosterApi({ config, database, redis, logger, metrics }),
      (api) => api.close(),
    );
    await oneRoster.start();
    const imports = opened.add(
      'the import queue',
      new ImportsApi({
        databaseUrl: config.databaseUrl,
        redisUrl: config.redisUrl,
        database,
        metrics,
        auth: oneRoster.auth,
        limits: oneRoster.adminLimits,
        maxUploadBytes: config.importMaxUploadBytes,
        exportConcurrency: config.exportConcurrency,
        logger,
        metricsRefreshMs: config.importMetricsRefreshMs,
      }),
      (api) => api.close(),
    );
    await imports.start();
    const health = await listen(
      createHealthApp({
        logger,
        registry: metrics.registry,
        readiness,
        dependencies,
        healthCheckTimeoutMs: config.healthCheckTimeoutMs,
      }),
      config.healthPort,
      config.host,
    ).catch((error: unknown) => {
      throw listenFailure(error, config.host, config.healthPort, 'HEALTH_PORT');
    });
    // Probes keep answering (503 while draining) until the public server has stopped.
    opened.add('the health server', health.server, async (server) => {
      await closeGracefully(server, 1000);
    });
    const app = createApp({
      logger,
      metrics,
      trustProxy: config.trustProxy,
      routes: (express) => {
        oneRoster.routes(express);
        imports.routes(express);
        options.routes?.(express);
      },
    });
    const bound = await listen(app, config.port, config.host).catch((error: unknown) => {
      throw listenFailure(error, config.host, config.port, 'PORT');
    });
    opened.add('the HTTP server', bound.server, async (server) => {
      if (!(await closeGracefully(server, config.shutdownTimeoutMs)))
        throw new Error(
          `in-flight requests were cut off at the shutdown timeout (${config.shutdownTimeoutMs} ms, SHUTDOWN_TIMEOUT_MS)`,
        );
    });
    logger.info(`listening on http://${bound.address.address}:${bound.address.port}`, {
      port: bound.address.port,
      healthPort: health.address.port,
    });
    return new ApiProcess(
      options,
      opened,
      database,
      redis,
      readiness,
      metrics,
      oneRoster,
      imports,
      bound.server,
      bound.address,
      health.address,
    );
  }

  /**
   * Graceful stop: readiness turns 503 first and requests keep being served for the drain
   * period; then the server stops accepting, in-flight requests finish (up to the timeout), and
   * the rest closes in reverse order of opening. Resolves `true` when nothing had to be cut off
   * and every step closed cleanly.
   */
  shutdown(reason = 'shutdown requested'): Promise<boolean> {
    this.#shutdown ??= this.#stop(reason);
    return this.#shutdown;
  }

  async #stop(reason: string): Promise<boolean> {
    const { config, logger } = this.options;
    logger.info(`shutting down: ${reason}`, { drainMs: config.shutdownDrainMs });
    this.readiness.startDraining();
    await sleep(config.shutdownDrainMs);
    const clean = await this.opened.closeAll();
    logger.info('stopped');
    return clean;
  }
}
