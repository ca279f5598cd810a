import { loadConfig, type ConfigOf, type Setting } from '../lib/config/settings.js';
import { boolean, integer, oneOf, port, url } from '../lib/config/parsers.js';

/** Every setting of the API process: the README's table is generated from this. */
export const apiSettings = {
  port: {
    env: 'PORT',
    doc: 'TCP port the API listens on',
    default: 3000,
    parse: port(),
  } satisfies Setting<number>,
  host: {
    env: 'HOST',
    doc: 'Address the API binds to',
    default: '0.0.0.0',
    parse: (raw: string) => raw,
  } satisfies Setting<string>,
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL connection URL (`postgres://user:password@host:port/db`)',
    parse: url(['postgres', 'postgresql']),
    secret: true,
  } satisfies Setting<string>,
  databasePoolMax: {
    env: 'DATABASE_POOL_MAX',
    doc: 'Maximum PostgreSQL connections per process',
    default: 10,
    parse: integer({ min: 1, max: 200 }),
  } satisfies Setting<number>,
  redisUrl: {
    env: 'REDIS_URL',
    doc: 'Redis connection URL (`redis://[:password@]host:port[/db]` or `rediss://`)',
    parse: url(['redis', 'rediss']),
    secret: true,
  } satisfies Setting<string>,
  migrateOnStart: {
    env: 'MIGRATE_ON_START',
    doc: 'Apply pending database migrations at start-up, under an advisory lock',
    default: true,
    parse: boolean(),
  } satisfies Setting<boolean>,
  logLevel: {
    env: 'LOG_LEVEL',
    doc: 'Lowest log level written',
    default: 'info',
    parse: oneOf(['error', 'warn', 'info', 'http', 'verbose', 'debug'] as const),
  } satisfies Setting<'error' | 'warn' | 'info' | 'http' | 'verbose' | 'debug'>,
  logFormat: {
    env: 'LOG_FORMAT',
    doc: '`json` (one object per line) or `pretty` (for people at a terminal)',
    default: 'json',
    parse: oneOf(['json', 'pretty'] as const),
  } satisfies Setting<'json' | 'pretty'>,
  healthCheckTimeoutMs: {
    env: 'HEALTH_CHECK_TIMEOUT_MS',
    doc: 'How long a dependency check in /readyz and /health may take before it counts as down',
    default: 1000,
    parse: integer({ min: 50, max: 30_000 }),
  } satisfies Setting<number>,
  shutdownDrainMs: {
    env: 'SHUTDOWN_DRAIN_MS',
    doc: 'After SIGTERM, how long /readyz answers 503 while requests are still served (lets load balancers notice)',
    default: 5000,
    parse: integer({ min: 0, max: 120_000 }),
  } satisfies Setting<number>,
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    doc: 'After SIGTERM, the longest wait for in-flight requests before the process exits anyway',
    default: 25_000,
    parse: integer({ min: 1000, max: 600_000 }),
  } satisfies Setting<number>,
};

export type ApiConfig = ConfigOf<typeof apiSettings>;

export function loadApiConfig(env: Readonly<Record<string, string | undefined>> = process.env): ApiConfig {
  return loadConfig(apiSettings, env);
}
