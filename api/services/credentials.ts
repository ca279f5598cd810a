import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SCOPES, type Scope } from './endpoints.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `length` random base62 characters (rejection sampling, so every character is uniform). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62.charAt(byte % 62);
    }
  }
  return out;
}

/** SHA-256 of a secret, hex: what is stored instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashSecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

export const API_KEY_PREFIX = 'rh_live_';
const API_KEY = /^rh_live_([0-9A-Za-z]{12})_([0-9A-Za-z]{43})$/;

/** A new API key: `rh_live_<keyId>_<secret>`; only the key id and the secret's hash are stored. */
export function newApiKey(): { keyId: string; secret: string; key: string } {
  const keyId = randomBase62(12);
  const secret = randomBase62(43);
  return { keyId, secret, key: `${API_KEY_PREFIX}${keyId}_${secret}` };
}

/** Splits a presented API key, or undefined if it is not one. */
export function parseApiKey(key: string): { keyId: string; secret: string } | undefined {
  const match = API_KEY.exec(key);
  return match?.[1] && match[2] ? { keyId: match[1], secret: match[2] } : undefined;
}

/** A new OAuth client: public id and secret (43 base62 characters, about 256 bits). */
export function newClientCredentials(): { clientId: string; clientSecret: string } {
  return { clientId: randomBase62(20), clientSecret: randomBase62(43) };
}

/** A new opaque access token. */
export function newAccessToken(): string {
  return `rh_at_${randomBase62(43)}`;
}

const SHORT_NAMES: Readonly<Record<string, Scope>> = {
  'roster.readonly': SCOPES.roster,
  'roster-core.readonly': SCOPES.core,
  'roster-demographics.readonly': SCOPES.demographics,
};

const scopeOf = (item: string): Scope | undefined =>
  SHORT_NAMES[item] ?? ((Object.values(SCOPES) as string[]).includes(item) ? (item as Scope) : undefined);

const scopeItems = (text: string) => text.split(/[\s,]+/).filter((part) => part !== '');

/**
 * What a token request's `scope` asks for: the scopes this server knows (full URIs or short
 * names) and the rest (gradebook scopes a consumer asks for in the same request, say), which a
 * token request may name without failing (RFC 6749 §3.3: the server grants what it can).
 */
export function requestedScopes(text: string): { known: Scope[]; unknown: string[] } {
  const known = new Set<Scope>();
  const unknown: string[] = [];
  for (const item of scopeItems(text)) {
    const scope = scopeOf(item);
    if (scope) known.add(scope);
    else unknown.push(item);
  }
  return { known: [...known], unknown };
}

/**
 * Scopes from a space- or comma-separated list of full scope URIs or their short names
 * (`roster.readonly`); throws naming the first unknown one.
 */
export function parseScopes(text: string): Scope[] {
  const { known, unknown } = requestedScopes(text);
  if (unknown.length > 0) throw new Error(`unknown scope: ${unknown[0]}`);
  return known;
}
