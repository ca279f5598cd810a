import express, { type Express } from 'express';
import type { TrustedProxies } from '../lib/config/parsers.js';
import type { Logger } from '../lib/logging/logger.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { observeRequests } from './http/observe-requests.js';
import { requestContext } from './http/request-context.js';
import type { ApiMetrics } from './metrics.js';

export interface AppDependencies {
  logger: Logger;
  metrics: ApiMetrics;
  /** Proxies whose X-Forwarded-* headers are believed (TRUST_PROXY). */
  trustProxy?: TrustedProxies;
  /** Mounts further routes before the not-found handler. */
  routes?: (app: Express) => void;
}

/** The public port's app: request context, access logs and metrics, then `routes`. */
export function createApp(deps: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', deps.trustProxy ?? false);
  app.use(requestContext());
  app.use(observeRequests(deps.metrics, deps.logger));
  deps.routes?.(app);
  app.use(notFound());
  app.use(errorHandler(deps.logger));
  return app;
}
