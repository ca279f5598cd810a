import { setTimeout as sleep } from 'node:timers/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { connectionTarget } from '../lib/config/connection-urls.js';
import type { Logger } from '../lib/logging/logger.js';
import { createApp } from './app.js';
import type { ApiConfig } from './config.js';
import { Database } from './db/database.js';
import { migrate, pendingMigrations } from './db/migrate.js';
import { Readiness } from './health/readiness.js';
import { ImportsApi } from './imports/imports-api.js';
import { closeGracefully, listen } from './http-server.js';
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

/**
 * The API process: opens PostgreSQL (migrating under a lock when configured), Redis and the HTTP
 * server, and shuts them down in reverse order. `shutdown()` is idempotent.
 */
export class ApiProcess {
  #shutdown: Promise<boolean> | undefined;

  private constructor(
    private readonly options: ApiProcessOptions,
    readonly database: Database,
    readonly redis: Redis,
    readonly readiness: Readiness,
    readonly metrics: ApiMetrics,
    readonly oneRoster: OneRosterApi,
    readonly imports: ImportsApi,
    readonly server: Server,
    readonly address: AddressInfo,
  ) {}

  static async start(options: ApiProcessOptions): Promise<ApiProcess> {
    const { config, logger } = options;
    const metrics = new ApiMetrics();
    let database: Database;
    try {
      database = await Database.open({
        url: config.databaseUrl,
        poolMax: config.databasePoolMax,
        statementTimeoutMs: config.queryTimeoutMs,
      });
    } catch (error) {
      throw new StartupError(
        `cannot connect to PostgreSQL at ${connectionTarget(config.databaseUrl)} (DATABASE_URL): ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (config.migrateOnStart) {
      try {
        const applied = await migrate(database, config.databaseUrl);
        logger.info(
          applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is current',
          {
            migrations: applied,
          },
        );
      } catch (error) {
        await database.close();
        throw new StartupError(`database migration failed: ${(error as Error).message}`, { cause: error });
      }
    }
    metrics.observeDbConnections(() => database.activeConnections());
    const redis = createRedis(config.redisUrl, metrics);
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
    const oneRoster = new OneRosterApi({ config, database, redis, logger, metrics });
    await oneRoster.start();
    const imports = new ImportsApi({
      databaseUrl: config.databaseUrl,
      redisUrl: config.redisUrl,
      database,
      metrics,
      auth: oneRoster.auth,
      limits: oneRoster.adminLimits,
      maxUploadBytes: config.importMaxUploadBytes,
      exportConcurrency: config.exportConcurrency,
    });
    await imports.start();
    const app = createApp({
      logger,
      metrics,
      readiness,
      dependencies,
      healthCheckTimeoutMs: config.healthCheckTimeoutMs,
      trustProxy: config.trustProxy,
      routes: (express) => {
        oneRoster.routes(express);
        imports.routes(express);
        options.routes?.(express);
      },
    });
    let bound: Awaited<ReturnType<typeof listen>>;
    try {
      bound = await listen(app, config.port, config.host);
    } catch (error) {
      await imports.close();
      await oneRoster.close();
      redis.disconnect();
      await database.close();
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'EADDRINUSE' ? `port ${config.port} is already in use (PORT)` : (error as Error).message;
      throw new StartupError(`cannot listen on ${config.host}:${config.port}: ${reason}`, { cause: error });
    }
    logger.info(`listening on http://${bound.address.address}:${bound.address.port}`, {
      port: bound.address.port,
    });
    return new ApiProcess(
      options,
      database,
      redis,
      readiness,
      metrics,
      oneRoster,
      imports,
      bound.server,
      bound.address,
    );
  }

  /**
   * Graceful stop: readiness turns 503 first and requests keep being served for the drain
   * period; then the server stops accepting, in-flight requests finish (up to the timeout), and
   * Redis and PostgreSQL close. Resolves `true` when nothing had to be cut off.
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
    const clean = await closeGracefully(this.server, config.shutdownTimeoutMs);
    if (!clean)
      logger.warn('in-flight requests were cut off at the shutdown timeout', {
        timeoutMs: config.shutdownTimeoutMs,
      });
    await this.imports.close();
    await this.oneRoster.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
    await this.database.close();
    logger.info('stopped');
    return clean;
  }
}
