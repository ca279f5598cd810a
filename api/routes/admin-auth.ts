import type { RequestHandler } from 'express';
import { ForbiddenError, TooManyRequestsError } from '../errors.js';
import { authenticateRequest } from '../http/authorize.js';
import type { ApiMetrics } from '../metrics.js';
import type { AuthService } from '../services/auth-service.js';
import type { RateLimiter } from '../services/rate-limiter.js';

/** The scope of all of RosterHub's own administration endpoints (imports and exports); not a OneRoster scope. */
export const ADMIN_SCOPE = 'https://rosterhub.invalid/scope/admin';

/**
 * Scopes for one kind of administration: an SIS that pushes packages needs `import`, and must
 * not be able to download every student's record, which `export` allows.
 */
export const ADMIN_SCOPES = {
  import: `${ADMIN_SCOPE}.import`,
  export: `${ADMIN_SCOPE}.export`,
} as const;

export type AdminPurpose = keyof typeof ADMIN_SCOPES;

/**
 * The two budgets of an admin key. Requests that start work (an upload, an export) count against
 * `actions`; reading a job's state is as cheap as a OneRoster read and counts against the
 * client's ordinary request limit, so a client that polls its import does not use up the
 * budget it needs to submit the next one.
 */
export interface AdminLimits {
  /** ADMIN_RATE_LIMIT_REQUESTS */
  actions: RateLimiter;
  /** RATE_LIMIT_REQUESTS */
  reads: RateLimiter;
}

export type AdminRequestKind = keyof AdminLimits;

/**
 * Admin endpoints take the same credentials as the OneRoster API (API keys, or OAuth tokens of a
 * client) but only with the admin scope or the one for `purpose`: 401 without valid
 * credentials, 429 beyond the limit for `kind`, 403 without the scope.
 */
export function adminOnly(
  { auth, metrics, limits }: { auth: AuthService; metrics: ApiMetrics; limits: AdminLimits },
  purpose: AdminPurpose,
  kind: AdminRequestKind,
): RequestHandler {
  const limiter = limits[kind];
  return async (req, res, next) => {
    const principal = await authenticateRequest(auth, metrics, req, res);
    const verdict = await limiter.hit(principal.clientId);
    if (!verdict.allowed) {
      metrics.authFailuresTotal.inc({ reason: 'rate_limited' });
      throw new TooManyRequestsError(
        kind === 'actions' ? 'too many admin requests; retry later' : 'too many requests; retry later',
        verdict.retryAfterSeconds,
      );
    }
    if (!principal.scopes.includes(ADMIN_SCOPE) && !principal.scopes.includes(ADMIN_SCOPES[purpose])) {
      metrics.authFailuresTotal.inc({ reason: 'forbidden' });
      throw new ForbiddenError(
        `this endpoint requires the scope ${ADMIN_SCOPES[purpose]} (or ${ADMIN_SCOPE})`,
      );
    }
    next();
  };
}
