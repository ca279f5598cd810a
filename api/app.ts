import express, { type Express } from 'express';
import type { TrustedProxies } from '../lib/config/parsers.js';
import type { Logger } from '../lib/logging/logger.js';
import type { DependencyCheck } from './health/dependency-checks.js';
import type { Readiness } from './health/readiness.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { metricsRoute } from './http/metrics-route.js';
import { observeRequests } from './http/observe-requests.js';
import { requestContext } from './http/request-context.js';
import type { ApiMetrics } from './metrics.js';

export interface AppDependencies {
  logger: Logger;
  metrics: ApiMetrics;
  readiness: Readiness;
  dependencies: Record<string, DependencyCheck>;
  healthCheckTimeoutMs: number;
  /** Proxies whose X-Forwarded-* headers are believed (TRUST_PROXY). */
  trustProxy?: TrustedProxies;
  /** Mounts further routes before the not-found handler. */
  routes?: (app: Express) => void;
}

export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(requestContext());
  app.use(observeRequests(deps.metrics, deps.logger));
  app.use(
    healthRoutes({
      readiness: deps.readiness,
      dependencies: deps.dependencies,
      timeoutMs: deps.healthCheckTimeoutMs,
    }),
  );
  app.use(metricsRoute(deps.metrics.registry));
  deps.routes?.(app);
  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}
