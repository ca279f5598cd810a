import { Router } from 'express';
import { checkDependencies, type DependencyCheck } from '../health/dependency-checks.js';
import { toHealthReport } from '../health/health-report.js';
import type { Readiness } from '../health/readiness.js';

export interface HealthRouteOptions {
  readiness: Readiness;
  dependencies: Record<string, DependencyCheck>;
  timeoutMs: number;
}

/**
 * `/healthz`: liveness, the process and its event loop only (a dependency outage must not
 * restart pods). `/readyz`: whether to send traffic here. `/health`: the original RosterHub
 * report of every dependency.
 */
export function healthRoutes(options: HealthRouteOptions): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await options.readiness.evaluate();
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });
  router.get('/health', async (_req, res) => {
    const report = toHealthReport(await checkDependencies(options.dependencies, options.timeoutMs));
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  return router;
}
