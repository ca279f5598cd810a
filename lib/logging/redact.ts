/**
 * Redaction of secrets from anything that gets logged: values under sensitive keys, API keys,
 * bearer tokens and passwords inside connection URLs, at any depth.
 */
const SENSITIVE_KEY =
  /authorization|cookie|x-api-key|api[-_]?key|client[-_]?secret|password|passwd|token|secret/i;
const API_KEY = /\brh_(live|test)_[A-Za-z0-9_]+/g;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]+@/gi;
/** What each of the three patterns needs to match at all: most logged strings have none of it. */
const MAYBE_SECRET = /rh_(?:live|test)_|bearer|basic|:\/\//i;

export const MASK = '*****';

export function redactString(value: string): string {
  if (!MAYBE_SECRET.test(value)) return value;
  return value
    .replace(API_KEY, (_match, env: string) => `rh_${env}_${MASK}`)
    .replace(BEARER, (_match, scheme: string) => `${scheme} ${MASK}`)
    .replace(URL_PASSWORD, (_match, prefix: string) => `${prefix}${MASK}@`);
}

function maskSensitive(value: unknown): unknown {
  if (typeof value === 'string') {
    const apiKey = /^rh_(live|test)_/.exec(value);
    return apiKey ? `${apiKey[0]}${MASK}` : MASK;
  }
  return value === undefined || value === null ? value : MASK;
}

export function redact(value: unknown, seen?: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  seen ??= new WeakSet<object>();
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactString(value.message),
      stack: value.stack && redactString(value.stack),
    };
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    result[key] = SENSITIVE_KEY.test(key) ? maskSensitive(item) : redact(item, seen);
  }
  return result;
}
