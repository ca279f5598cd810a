import type { Request, RequestHandler, Response } from 'express';
import { currentLogContext } from '../../lib/logging/context.js';
import { ForbiddenError, TooManyRequestsError } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';
import type { AuthService, Principal } from '../services/auth-service.js';
import { SCOPE_GROUPS, type ScopeGroup } from '../services/endpoints.js';
import type { RateLimiter } from '../services/rate-limiter.js';

/**
 * Authenticates the caller from its bearer token or API key (401 otherwise, counted) and puts
 * its client id, never a secret, into the access log and the log context.
 */
export async function authenticateRequest(
  auth: AuthService,
  metrics: ApiMetrics,
  req: Request,
  res: Response,
): Promise<Principal> {
  let principal: Principal;
  try {
    principal = await auth.authenticate(req.get('authorization'), req.get('x-api-key'));
  } catch (error) {
    metrics.authFailuresTotal.inc({ reason: 'unauthenticated' });
    throw error;
  }
  res.locals.clientId = principal.clientId;
  const context = currentLogContext();
  if (context) context.clientId = principal.clientId;
  return principal;
}

/**
 * Authenticates the caller (401), applies its rate limit (429 with Retry-After) and checks that
 * one of its scopes opens the endpoint group (403). Puts the client id, never a secret, into the
 * access log and the log context.
 */
export function authorize(
  auth: AuthService,
  limiter: RateLimiter,
  metrics: ApiMetrics,
): (group: ScopeGroup) => RequestHandler {
  return (group) => {
    const accepted: readonly string[] = SCOPE_GROUPS[group];
    return async (req, res, next) => {
      const principal = await authenticateRequest(auth, metrics, req, res);
      const verdict = await limiter.hit(principal.clientId);
      if (limiter.limit > 0) {
        res.setHeader('X-RateLimit-Limit', String(limiter.limit));
        res.setHeader('X-RateLimit-Remaining', String(verdict.remaining));
      }
      if (!verdict.allowed) {
        metrics.authFailuresTotal.inc({ reason: 'rate_limited' });
        throw new TooManyRequestsError('too many requests; retry later', verdict.retryAfterSeconds);
      }
      if (!principal.scopes.some((scope) => accepted.includes(scope))) {
        metrics.authFailuresTotal.inc({ reason: 'forbidden' });
        throw new ForbiddenError(`this endpoint requires one of the scopes: ${accepted.join(' ')}`);
      }
      next();
    };
  };
}
