import type { Redis } from 'ioredis';
import type { CredentialsRepository, StoredCredential } from '../data/credentials-repository.js';
import { OAuthError, ServiceUnavailableError, UnauthorizedError } from '../errors.js';
import { redisKeys } from '../keys.js';
import { KnownIds } from './known-ids.js';
import {
  API_KEY_PREFIX,
  hashSecret,
  newAccessToken,
  parseApiKey,
  requestedScopes,
  secretMatches,
} from './credentials.js';

/** Compared against when the client or key is unknown, so that the hashing still takes place. */
const NO_SECRET_HASH = '0'.repeat(64);

/**
 * What a token grants (RFC 6749 §3.3): every scope of the client when none is asked for, else
 * the requested scopes the client was given, whatever else the request names; `scope` in the
 * answer says which. Refused only when nothing requested is granted.
 */
function grantedScopes(clientScopes: readonly string[], requested: string | undefined): string[] {
  if (requested === undefined || requested.trim() === '') return [...clientScopes];
  const { known, unknown } = requestedScopes(requested);
  const granted = known.filter((scope) => clientScopes.includes(scope));
  if (granted.length > 0) return granted;
  const asked = [...known, ...unknown].join(' ').slice(0, 300);
  throw new OAuthError(
    'invalid_scope',
    `none of the requested scopes is granted to this client (requested: ${asked}; granted to it: ${clientScopes.join(' ')})`,
  );
}

/** Who is calling, and what they may read. */
export interface Principal {
  /** The OAuth client id or the API key id: what logs and rate limits key on. */
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: string;
}

export interface AuthServiceOptions {
  tokenTtlSeconds: number;
  /** How long a verified token or key is trusted in this process before it is looked up again. */
  cacheMs: number;
}

interface StoredToken {
  clientId: string;
  scopes: string[];
  /** epoch ms */
  expiresAt: number;
  /** epoch ms (tokens stored before it was recorded count from their expiry back) */
  issuedAt?: number;
}

/** What a token's client is now, as last read (for AUTH_CACHE_MS). */
interface ClientState {
  client: StoredCredential | undefined;
  until: number;
}

/**
 * OAuth 2.0 client credentials and API keys. Tokens are opaque random strings; Redis keeps only
 * their SHA-256 with the client and scopes, expiring with the token, so fetching a new token
 * never invalidates earlier ones. A short in-process cache spares Redis and PostgreSQL a lookup
 * on every request.
 */
export class AuthService {
  readonly #verified = new Map<string, { principal: Principal; until: number }>();
  readonly #clients = new Map<string, ClientState>();
  readonly #keyIds: KnownIds;
  readonly #clientIds: KnownIds;

  constructor(
    private readonly credentials: CredentialsRepository,
    private readonly redis: Redis,
    private readonly options: AuthServiceOptions,
    /** The database's epoch: tokens of another database sharing this Redis are not valid here. */
    private readonly namespace: () => string,
  ) {
    this.#keyIds = new KnownIds(() => credentials.activeKeyIds());
    this.#clientIds = new KnownIds(() => credentials.activeClientIds());
  }

  /** `grant_type=client_credentials`: checks the client and scopes, and issues a token. */
  async issueToken(
    clientId: string,
    clientSecret: string,
    requestedScope: string | undefined,
  ): Promise<TokenResponse> {
    const known = clientId !== '' && (await this.#clientIds.has(clientId));
    const client = known ? await this.credentials.findClient(clientId) : undefined;
    // hash even for unknown clients so that timing does not tell which client ids exist
    const valid = secretMatches(clientSecret, client?.secretHash ?? NO_SECRET_HASH);
    if (!client || !valid || client.revokedAt)
      throw new OAuthError('invalid_client', 'client authentication failed', 401);
    const scopes = grantedScopes(client.scopes, requestedScope);
    const token = newAccessToken();
    const issuedAt = Date.now();
    const stored: StoredToken = {
      clientId: client.id,
      scopes,
      issuedAt,
      expiresAt: issuedAt + this.options.tokenTtlSeconds * 1000,
    };
    await this.#store(token, stored);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.options.tokenTtlSeconds,
      scope: scopes.join(' '),
    };
  }

  async #store(token: string, stored: StoredToken): Promise<void> {
    try {
      await this.redis.set(
        redisKeys.accessToken(this.namespace(), hashSecret(token)),
        JSON.stringify(stored),
        'EX',
        this.options.tokenTtlSeconds,
      );
    } catch {
      throw new ServiceUnavailableError('tokens cannot be issued right now; retry later');
    }
  }

  /**
   * The principal behind `Authorization: Bearer <token or API key>` or `X-API-Key: <API key>`;
   * UnauthorizedError when missing, malformed, unknown, revoked or expired.
   */
  async authenticate(
    authorization: string | undefined,
    apiKeyHeader: string | undefined,
  ): Promise<Principal> {
    let credential: string | undefined;
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
      credential = match[1];
    } else if (apiKeyHeader !== undefined) {
      credential = apiKeyHeader.trim();
    }
    if (!credential) throw new UnauthorizedError('an access token or API key is required');
    if (credential.length > 512) throw new UnauthorizedError('invalid access token');
    const cacheKey = hashSecret(credential);
    const now = Date.now();
    const hit = this.#verified.get(cacheKey);
    if (hit && hit.until > now) return hit.principal;
    this.#verified.delete(cacheKey);
    const { principal, until } = credential.startsWith(API_KEY_PREFIX)
      ? await this.#verifyApiKey(credential, now)
      : await this.#verifyToken(cacheKey, now);
    if (this.options.cacheMs > 0) {
      if (this.#verified.size > 10_000) this.#verified.clear();
      this.#verified.set(cacheKey, { principal, until: Math.min(until, now + this.options.cacheMs) });
    }
    return principal;
  }

  async #verifyToken(tokenHash: string, now: number): Promise<{ principal: Principal; until: number }> {
    let raw: string | null;
    try {
      raw = await this.redis.get(redisKeys.accessToken(this.namespace(), tokenHash));
    } catch {
      throw new ServiceUnavailableError('access tokens cannot be checked right now; retry later');
    }
    if (raw === null) throw new UnauthorizedError('the access token is invalid or has expired');
    const stored = JSON.parse(raw) as StoredToken;
    if (stored.expiresAt <= now) throw new UnauthorizedError('the access token is invalid or has expired');
    // The client as it is now: revoked, rotated or narrowed since the token was issued.
    const { client, until } = await this.#currentClient(stored.clientId, now);
    if (!client || client.revokedAt)
      throw new UnauthorizedError('the access token’s client has been revoked');
    const issuedAt = stored.issuedAt ?? stored.expiresAt - this.options.tokenTtlSeconds * 1000;
    if (client.secretRotatedAt && issuedAt < client.secretRotatedAt.getTime())
      throw new UnauthorizedError('the access token was issued before its client’s secret was rotated');
    return {
      principal: {
        clientId: stored.clientId,
        scopes: stored.scopes.filter((scope) => client.scopes.includes(scope)),
      },
      // no longer than what was read of the client: a revocation takes effect within AUTH_CACHE_MS
      until: Math.min(stored.expiresAt, until),
    };
  }

  /** The stored client, read at most once per AUTH_CACHE_MS per client. */
  async #currentClient(clientId: string, now: number): Promise<ClientState> {
    const cached = this.#clients.get(clientId);
    if (cached && cached.until > now) return cached;
    const state = { client: await this.credentials.findClient(clientId), until: now + this.options.cacheMs };
    if (this.#clients.size > 10_000) this.#clients.clear();
    this.#clients.set(clientId, state);
    return state;
  }

  async #verifyApiKey(key: string, now: number): Promise<{ principal: Principal; until: number }> {
    const parsed = parseApiKey(key);
    if (!parsed) throw new UnauthorizedError('invalid API key');
    const stored = (await this.#keyIds.has(parsed.keyId))
      ? await this.credentials.findKey(parsed.keyId)
      : undefined;
    const valid = secretMatches(parsed.secret, stored?.secretHash ?? NO_SECRET_HASH);
    if (!stored || !valid || stored.revokedAt) throw new UnauthorizedError('invalid or revoked API key');
    return {
      principal: { clientId: stored.id, scopes: stored.scopes },
      until: now + this.options.cacheMs,
    };
  }
}
