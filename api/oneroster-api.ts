import { Router, type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logging/logger.js';
import type { ApiConfig } from './config.js';
import { CredentialsRepository } from './data/credentials-repository.js';
import { RosterRepository } from './data/roster-repository.js';
import type { Database } from './db/database.js';
import { authorize } from './http/authorize.js';
import type { ApiMetrics } from './metrics.js';
import type { AdminLimits } from './routes/admin-auth.js';
import { discoveryRoutes } from './routes/discovery.js';
import { registerEndpoints, type RouteContext } from './routes/endpoint-handlers.js';
import { oauthRoutes, type TokenLimits } from './routes/oauth.js';
import { AuthService } from './services/auth-service.js';
import { DataVersionWatcher } from './services/data-version-watcher.js';
import { ROSTERING_BASE } from './services/endpoints.js';
import { PageIndex } from './services/page-index.js';
import { RateLimiter } from './services/rate-limiter.js';
import { ResponseCache } from './services/response-cache.js';
import { RosteringService } from './services/rostering-service.js';

export interface OneRosterApiDependencies {
  config: ApiConfig;
  database: Database;
  redis: Redis;
  logger: Logger;
  metrics: ApiMetrics;
}

/**
 * The OneRoster 1.2 rostering API: wires repositories, services and routes. The constructor
 * starts nothing; `start()` begins following the data version; `close()` is idempotent.
 */
export class OneRosterApi {
  readonly dataVersion: DataVersionWatcher;
  readonly auth: AuthService;
  readonly service: RosteringService;
  readonly #limiter: RateLimiter;
  readonly #tokenLimits: TokenLimits;
  /** The budgets of admin keys at /rosterhub/v1 (ImportsApi's routes). */
  readonly adminLimits: AdminLimits;
  #closing: Promise<void> | undefined;

  constructor(private readonly deps: OneRosterApiDependencies) {
    const { config, database, redis, logger, metrics } = deps;
    const repository = new RosterRepository(database.reads, (operation) =>
      metrics.dbQueriesTotal.inc({ operation }),
    );
    this.dataVersion = new DataVersionWatcher({
      db: database.pool,
      databaseUrl: config.databaseUrl,
      pollMs: config.dataVersionPollMs,
      listen: config.databasePoolMode === 'session',
      logger,
    });
    const cache = new ResponseCache(
      redis,
      {
        enabled: config.responseCache,
        ttlSeconds: config.responseCacheTtlSeconds,
        maxBytes: config.responseCacheMaxBytes,
        localBudget: config.responseCacheLocalMb * 1024 * 1024,
        redisBudget: config.responseCacheRedisBytes,
      },
      metrics,
      logger,
    );
    const pageIndex = new PageIndex(
      redis,
      repository,
      { stride: config.pageIndexStride, ttlSeconds: config.responseCacheTtlSeconds },
      metrics,
      logger,
    );
    this.service = new RosteringService(repository, cache, pageIndex, this.dataVersion, {
      maxLimit: config.maxPageSize,
    });
    this.auth = new AuthService(
      new CredentialsRepository(database.orm),
      redis,
      {
        tokenTtlSeconds: config.tokenTtlSeconds,
        cacheMs: config.authCacheMs,
      },
      () => this.dataVersion.namespace(),
    );
    const limiter = (name: string, limit: number) =>
      new RateLimiter(
        redis,
        { limit, windowSeconds: config.rateLimitWindowSeconds },
        logger,
        () => this.dataVersion.namespace(),
        name,
      );
    this.#limiter = limiter('requests', config.rateLimitRequests);
    this.#tokenLimits = {
      perAddress: limiter('token-address', config.tokenRequestsPerAddress),
      failuresPerClientAddress: limiter('token-failures', config.tokenFailuresPerClientAddress),
      perClient: this.#limiter,
    };
    this.adminLimits = { actions: limiter('admin', config.adminRequests), reads: this.#limiter };
  }

  async start(): Promise<void> {
    await this.dataVersion.start();
  }

  /** Mounts `POST /oauth/token`, the discovery documents and the 41 rostering endpoints. */
  routes(app: Express): void {
    const { config, metrics } = this.deps;
    const root = Router();
    const rostering = Router();
    oauthRoutes(root, this.auth, this.#tokenLimits);
    discoveryRoutes(rostering, root, config.publicBaseUrl, config.maxPageSize);
    const ctx: RouteContext = {
      service: this.service,
      authorize: authorize(this.auth, this.#limiter, metrics),
      publicBaseUrl: config.publicBaseUrl,
    };
    // the busiest collections first: Express tries routes in order
    for (const resource of [
      'users',
      'enrollments',
      'classes',
      'courses',
      'orgs',
      'academicSessions',
      'demographics',
    ] as const) {
      registerEndpoints(rostering, ctx, resource);
    }
    app.use(root);
    app.use(ROSTERING_BASE, rostering);
  }

  close(): Promise<void> {
    this.#closing ??= Promise.all([
      this.dataVersion.close(),
      this.#limiter.close(),
      this.adminLimits.actions.close(),
    ]).then(() => undefined);
    return this.#closing;
  }
}
