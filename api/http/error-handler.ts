import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../../lib/logging/logger.js';
import { AppError, NotFoundError, ServiceUnavailableError } from '../errors.js';

/** Unknown paths get the same error payload as everything else. */
export function notFound(): RequestHandler {
  return (req, _res, next) => {
    next(new NotFoundError(`no resource at ${req.method} ${req.path}`));
  };
}

/** The one place that writes error bodies: typed errors as themselves, anything else as a 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const bodyError = err as { type?: string; status?: number; message?: string };
    let error: AppError;
    if (err instanceof AppError) {
      error = err;
    } else if ((err as { code?: unknown }).code === '57014') {
      // PostgreSQL statement_timeout (QUERY_TIMEOUT_MS)
      error = new ServiceUnavailableError('the query took too long; narrow it with filter or limit');
      logger.warn('query cancelled by statement timeout', { method: req.method, path: req.path });
    } else if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      // body-parser and friends raise errors with a 4xx `status`
      error = new AppError(
        bodyError.message ?? 'bad request',
        'BAD_REQUEST',
        bodyError.status,
        'invaliddata',
      );
    } else {
      error = new AppError('internal server error', 'INTERNAL', 500, 'internal_server_error', false, {
        cause: err,
      });
      logger.error('unhandled error', { error: err, method: req.method, path: req.path });
    }
    res.status(error.httpStatus).set(error.headers());
    res.json(error.body());
  };
}
