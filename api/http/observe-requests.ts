import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../lib/logging/logger.js';
import type { ApiMetrics } from '../metrics.js';

/** The route template (`/users/:id`), never the raw path: raw paths explode label cardinality. */
export function routeTemplate(req: Request): string {
  const route = req.route as { path?: unknown } | undefined;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return 'unmatched';
}

/** Counts and times every request and writes one access log line when it finishes. */
export function observeRequests(metrics: ApiMetrics, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeTemplate(req);
      const labels = { method: req.method, route, status_code: String(res.statusCode) };
      metrics.httpRequestsTotal.inc(labels);
      metrics.httpRequestDuration.observe(labels, seconds);
      logger.info(`${req.method} ${route} ${res.statusCode}`, {
        method: req.method,
        route,
        statusCode: res.statusCode,
        duration: Math.round(seconds * 1e6) / 1e3,
        clientId: res.locals.clientId as string | undefined,
      });
    });
    next();
  };
}
