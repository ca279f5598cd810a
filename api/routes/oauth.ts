import express, { type Request, type Router } from 'express';
import { OAuthError, TooManyRequestsError } from '../errors.js';
import type { AuthService } from '../services/auth-service.js';
import type { RateLimiter, RateLimitVerdict } from '../services/rate-limiter.js';

function clientCredentials(req: Request): { clientId: string; clientSecret: string } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const header = req.get('authorization');
  if (header !== undefined) {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) throw new OAuthError('invalid_client', 'unsupported client authentication', 401);
    const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'malformed Basic credentials', 401);
    try {
      // RFC 6749 §2.3.1: id and secret are form-encoded before Basic encoding
      const decode = (value: string): string => decodeURIComponent(value.replace(/\+/g, ' '));
      return { clientId: decode(decoded.slice(0, colon)), clientSecret: decode(decoded.slice(colon + 1)) };
    } catch {
      throw new OAuthError('invalid_client', 'malformed Basic credentials', 401);
    }
  }
  const { client_id: clientId, client_secret: clientSecret } = body;
  if (typeof clientId === 'string' && typeof clientSecret === 'string') return { clientId, clientSecret };
  throw new OAuthError(
    'invalid_client',
    'client authentication is required (HTTP Basic or client_id/client_secret)',
    401,
  );
}

/** The limits of the token endpoint. */
export interface TokenLimits {
  /** Every request, per source address, before anything else is looked at. */
  perAddress: RateLimiter;
  /** Failed authentications per client id and source address: guessing from one address cannot lock the client out elsewhere. */
  failuresPerClientAddress: RateLimiter;
  /** Tokens issued per client (the client's own request limit). */
  perClient: RateLimiter;
}

const refuse = (verdict: RateLimitVerdict): never => {
  throw new TooManyRequestsError('too many token requests; retry later', verdict.retryAfterSeconds);
};

/** `POST /oauth/token`: the OAuth 2.0 client-credentials grant (form body). */
export function oauthRoutes(router: Router, auth: AuthService, limits: TokenLimits): void {
  router.post('/oauth/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const fromAddress = await limits.perAddress.hit(address);
    if (!fromAddress.allowed) refuse(fromAddress);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { clientId, clientSecret } = clientCredentials(req);
    const pair = `${clientId.slice(0, 64)} ${address}`;
    const failures = await limits.failuresPerClientAddress.check(pair);
    if (!failures.allowed) refuse(failures);
    const grantType = body.grant_type;
    if (typeof grantType !== 'string') throw new OAuthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials')
      throw new OAuthError('unsupported_grant_type', 'only grant_type=client_credentials is supported');
    const scope = body.scope;
    if (scope !== undefined && typeof scope !== 'string')
      throw new OAuthError('invalid_request', 'scope must be given once');
    const clientBudget = await limits.perClient.check(`oauth:${clientId}`);
    if (!clientBudget.allowed) refuse(clientBudget);
    let issued: Awaited<ReturnType<AuthService['issueToken']>>;
    try {
      issued = await auth.issueToken(clientId, clientSecret, scope);
    } catch (error) {
      if (error instanceof OAuthError && error.httpStatus === 401)
        await limits.failuresPerClientAddress.hit(pair);
      throw error;
    }
    await limits.perClient.hit(`oauth:${clientId}`);
    res.json(issued);
  });
}
