/** Parsers for configuration values. Each throws an Error that says what it expected. */
import { isIP } from 'node:net';

export function integer(options: { min?: number; max?: number } = {}): (raw: string) => number {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error(`expected a whole number between ${min} and ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`expected a whole number between ${min} and ${max}`);
    return value;
  };
}

export function port(): (raw: string) => number {
  return integer({ min: 0, max: 65535 });
}

export function oneOf<const T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new Error(`expected one of ${values.join(', ')}`);
    return raw as T;
  };
}

export function boolean(): (raw: string) => boolean {
  return (raw) => {
    const value = raw.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new Error('expected true or false');
  };
}

export function url(protocols: readonly string[]): (raw: string) => string {
  return (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error(`expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`);
    }
    const protocol = parsed.protocol.replace(/:$/, '');
    if (!protocols.includes(protocol)) {
      throw new Error(`expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`);
    }
    if (parsed.hostname === '') throw new Error('the URL has no host');
    return raw;
  };
}

/** A redis:// or rediss:// URL; a path, when given, is the database number (`/0`). */
export function redisUrl(): (raw: string) => string {
  const redisScheme = url(['redis', 'rediss']);
  return (raw) => {
    redisScheme(raw);
    const database = new URL(raw).pathname.replace(/^\//, '');
    if (database !== '' && !/^\d+$/.test(database))
      throw new Error('the path after host:port must be a database number, like /0');
    return raw;
  };
}

export function text(options: { pattern?: RegExp; describe?: string } = {}): (raw: string) => string {
  return (raw) => {
    if (options.pattern && !options.pattern.test(raw))
      throw new Error(`expected ${options.describe ?? String(options.pattern)}`);
    return raw;
  };
}

/** Which proxies are believed, as Express's `trust proxy` takes it: none, a hop count, or addresses. */
export type TrustedProxies = false | number | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `TRUST_PROXY`: empty for none, a hop count (`1`), or a comma-separated list of addresses,
 * CIDR ranges and Express's names (`loopback`, `linklocal`, `uniquelocal`).
 */
export function trustedProxies(): (raw: string) => TrustedProxies {
  return (raw) => {
    const text = raw.trim();
    if (text === '' || text === 'false') return false;
    if (/^\d+$/.test(text)) return Number(text);
    const items = text.split(',').map((item) => item.trim());
    for (const item of items) {
      const [address = '', prefix] = item.split('/');
      const family = isIP(address);
      const prefixOk =
        prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
      if (!PROXY_NAMES.includes(item) && (family === 0 || !prefixOk)) {
        throw new Error(
          `"${item}" is not an address, a CIDR range or one of ${PROXY_NAMES.join(', ')} (or give a hop count)`,
        );
      }
    }
    return items;
  };
}
