import type { RequestHandler } from 'express';
import { ForbiddenError } from '../errors.js';
import { authenticateRequest } from '../http/authorize.js';
import type { ApiMetrics } from '../metrics.js';
import type { AuthService } from '../services/auth-service.js';

/** The scope of RosterHub's own administration endpoints (imports, exports); not a OneRoster scope. */
export const ADMIN_SCOPE = 'https://rosterhub.invalid/scope/admin';

/**
 * Admin endpoints take the same credentials as the OneRoster API (API keys, or OAuth tokens of a
 * client) but only with the admin scope: 401 without valid credentials, 403 without the scope.
 */
export function adminOnly(auth: AuthService, metrics: ApiMetrics): RequestHandler {
  return async (req, res, next) => {
    const principal = await authenticateRequest(auth, metrics, req, res);
    if (!principal.scopes.includes(ADMIN_SCOPE)) {
      metrics.authFailuresTotal.inc({ reason: 'forbidden' });
      throw new ForbiddenError(`this endpoint requires the scope ${ADMIN_SCOPE}`);
    }
    next();
  };
}
