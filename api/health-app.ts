import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../lib/logging/logger.js';
import type { DependencyCheck } from './health/dependency-checks.js';
import type { Readiness } from './health/readiness.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { healthRoutes } from './http/health-routes.js';
import { metricsRoute } from './http/metrics-route.js';

export interface HealthAppDependencies {
  logger: Logger;
  registry: Registry;
  readiness: Readiness;
  dependencies: Record<string, DependencyCheck>;
  healthCheckTimeoutMs: number;
}

/**
 * The health port's app: the probes (`/healthz`, `/readyz`), the dependency report
 * (`/health`) and `/metrics`. It listens on a port of its own so that neither the Ingress nor a
 * OneRoster consumer ever reaches them, and its requests are not counted as API traffic.
 */
export function createHealthApp(deps: HealthAppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    healthRoutes({
      readiness: deps.readiness,
      dependencies: deps.dependencies,
      timeoutMs: deps.healthCheckTimeoutMs,
    }),
  );
  app.use(metricsRoute(deps.registry));
  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}
