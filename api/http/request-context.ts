import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithLogContext } from '../../lib/logging/context.js';

const VALID_REQUEST_ID = /^[\w.-]{8,64}$/;

/** Accepts a well-formed `X-Request-Id` or makes one, echoes it, and puts it in the log context. */
export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    res.locals.requestId = requestId;
    runWithLogContext({ requestId }, next);
  };
}
