import { DEFAULT_MAX_UPLOAD_BYTES } from '../lib/uploads.js';
import { POOL_MODES, type PoolMode } from './db/read-queries.js';
import type { ConfigOf, Setting } from '../lib/config/settings.js';
import { loadConnectedConfig } from '../lib/config/connection-urls.js';
import {
  boolean,
  integer,
  oneOf,
  port,
  redisUrl,
  trustedProxies,
  url,
  type TrustedProxies,
} from '../lib/config/parsers.js';

/** Every setting of the API process: the README's table is generated from this. */
export const apiSettings = {
  port: {
    env: 'PORT',
    doc: 'TCP port the API listens on',
    default: 3000,
    parse: port(),
  } satisfies Setting<number>,
  healthPort: {
    env: 'HEALTH_PORT',
    doc: 'TCP port of /healthz, /readyz, /health and /metrics, kept apart from PORT so that the Ingress and consumers never reach them',
    default: 8081,
    parse: port(),
  } satisfies Setting<number>,
  host: {
    env: 'HOST',
    doc: 'Address the API binds to; `::` is every IPv6 and IPv4 address (IPv4 only on a host without IPv6)',
    default: '::',
    parse: (raw: string) => raw,
  } satisfies Setting<string>,
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL connection URL (`postgres://user:password@host:port/db`); or, when unset, composed (escaped) from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE',
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
    doc: 'Redis connection URL (`redis://[:password@]host:port[/db]` or `rediss://`); or, when unset, composed (escaped) from REDIS_SCHEME, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD',
    parse: redisUrl(),
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
  publicBaseUrl: {
    env: 'PUBLIC_BASE_URL',
    doc: 'Origin used in GUIDRef `href`s and Link headers (`https://roster.example.org`); empty: the forwarded origin of a trusted proxy (TRUST_PROXY), else the address the request reached, never the `Host` a caller sends',
    default: '',
    parse: (raw: string) => url(['http', 'https'])(raw).replace(/\/+$/, ''),
  } satisfies Setting<string>,
  trustProxy: {
    env: 'TRUST_PROXY',
    doc: 'Proxies whose X-Forwarded-Proto, -Host and -For are believed (Express `trust proxy`): a hop count, or addresses, CIDR ranges, `loopback`, `uniquelocal`; empty: none',
    default: false,
    parse: trustedProxies(),
  } satisfies Setting<TrustedProxies>,
  maxPageSize: {
    env: 'MAX_PAGE_SIZE',
    doc: 'Largest `limit` a collection request gets; larger values are clamped to it',
    default: 10_000,
    parse: integer({ min: 1, max: 100_000 }),
  } satisfies Setting<number>,
  databasePoolMode: {
    env: 'DATABASE_POOL_MODE',
    doc: '`transaction` when DATABASE_URL is a pooler in transaction mode (PgBouncer, …): the API then sets its statement timeout per transaction, prepares no statements and learns of imports by polling (DATA_VERSION_POLL_MS) instead of LISTEN',
    default: 'session',
    parse: oneOf(POOL_MODES),
  } satisfies Setting<PoolMode>,
  queryTimeoutMs: {
    env: 'QUERY_TIMEOUT_MS',
    doc: 'PostgreSQL statement timeout for API queries (a request that hits it answers 503)',
    default: 30_000,
    parse: integer({ min: 100, max: 600_000 }),
  } satisfies Setting<number>,
  responseCache: {
    env: 'RESPONSE_CACHE',
    doc: 'Cache whole OneRoster answers in Redis, keyed by the roster data version',
    default: true,
    parse: boolean(),
  } satisfies Setting<boolean>,
  responseCacheTtlSeconds: {
    env: 'RESPONSE_CACHE_TTL_SECONDS',
    doc: 'How long a cached answer, count or page index is kept (a data version change retires it at once)',
    default: 600,
    parse: integer({ min: 1, max: 86_400 }),
  } satisfies Setting<number>,
  responseCacheMaxBytes: {
    env: 'RESPONSE_CACHE_MAX_BYTES',
    doc: 'Answers larger than this are not cached',
    default: 8_388_608,
    parse: integer({ min: 0, max: 536_870_912 }),
  } satisfies Setting<number>,
  responseCacheRedisBytes: {
    env: 'RESPONSE_CACHE_REDIS_BYTES',
    doc: 'Bytes of answers all API processes together may keep in the shared Redis at once; beyond it answers are not cached, so the import queue and tokens always have room',
    default: 67_108_864,
    parse: integer({ min: 0, max: 68_719_476_736 }),
  } satisfies Setting<number>,
  responseCacheLocalMb: {
    env: 'RESPONSE_CACHE_LOCAL_MB',
    doc: 'Megabytes of the most recently used cached answers also kept in each API process (0: Redis only)',
    default: 64,
    parse: integer({ min: 0, max: 4096 }),
  } satisfies Setting<number>,
  pageIndexStride: {
    env: 'PAGE_INDEX_STRIDE',
    doc: 'Rows between the page boundary keys kept per data version, which turn deep offsets into keyset seeks',
    default: 1000,
    parse: integer({ min: 10, max: 1_000_000 }),
  } satisfies Setting<number>,
  dataVersionPollMs: {
    env: 'DATA_VERSION_POLL_MS',
    doc: 'Fallback poll of the roster data version (imports also NOTIFY); 0 turns polling off',
    default: 5000,
    parse: integer({ min: 0, max: 3_600_000 }),
  } satisfies Setting<number>,
  tokenTtlSeconds: {
    env: 'TOKEN_TTL_SECONDS',
    doc: 'Lifetime of OAuth 2.0 access tokens from POST /oauth/token',
    default: 3600,
    parse: integer({ min: 60, max: 86_400 }),
  } satisfies Setting<number>,
  authCacheMs: {
    env: 'AUTH_CACHE_MS',
    doc: 'How long a process trusts a verified token or API key before looking it up again (revocations take effect within this)',
    default: 10_000,
    parse: integer({ min: 0, max: 600_000 }),
  } satisfies Setting<number>,
  rateLimitRequests: {
    env: 'RATE_LIMIT_REQUESTS',
    doc: 'Requests each client (OAuth client or API key) may make per window; 0 turns rate limiting off',
    default: 6000,
    parse: integer({ min: 0, max: 100_000_000 }),
  } satisfies Setting<number>,
  rateLimitWindowSeconds: {
    env: 'RATE_LIMIT_WINDOW_SECONDS',
    doc: 'Length of the rate-limit window',
    default: 60,
    parse: integer({ min: 1, max: 86_400 }),
  } satisfies Setting<number>,
  tokenRequestsPerAddress: {
    env: 'TOKEN_REQUESTS_PER_ADDRESS',
    doc: 'POST /oauth/token requests each source address may make per rate-limit window, counted before authentication; 0 turns it off',
    default: 120,
    parse: integer({ min: 0, max: 100_000_000 }),
  } satisfies Setting<number>,
  tokenFailuresPerClientAddress: {
    env: 'TOKEN_FAILURES_PER_CLIENT_ADDRESS',
    doc: 'Failed token requests for one client id from one source address per window; beyond it that address gets 429 for that id, while the client elsewhere is unaffected',
    default: 10,
    parse: integer({ min: 0, max: 100_000 }),
  } satisfies Setting<number>,
  adminRequests: {
    env: 'ADMIN_RATE_LIMIT_REQUESTS',
    doc: "Uploads (POST /rosterhub/v1/imports) and exports each admin key may start per window; reading an import's state counts against RATE_LIMIT_REQUESTS instead; 0 turns it off",
    default: 120,
    parse: integer({ min: 0, max: 100_000_000 }),
  } satisfies Setting<number>,
  importMetricsRefreshMs: {
    env: 'IMPORT_METRICS_REFRESH_MS',
    doc: 'How often each API process reads the import figures of /metrics from PostgreSQL and the queue; a scrape itself runs no query',
    default: 15_000,
    parse: integer({ min: 100, max: 600_000 }),
  } satisfies Setting<number>,
  exportConcurrency: {
    env: 'EXPORT_CONCURRENCY',
    doc: 'Exports (GET /rosterhub/v1/exports) that may run at once across every API Pod; more answer 429',
    default: 2,
    parse: integer({ min: 1, max: 100 }),
  } satisfies Setting<number>,
  importMaxUploadBytes: {
    env: 'IMPORT_MAX_UPLOAD_BYTES',
    doc: 'Largest CSV package (zip) POST /rosterhub/v1/imports accepts; larger uploads answer 413',
    default: DEFAULT_MAX_UPLOAD_BYTES,
    parse: integer({ min: 1024, max: 68_719_476_736 }),
  } satisfies Setting<number>,
};

export type ApiConfig = ConfigOf<typeof apiSettings>;

export function loadApiConfig(env: Readonly<Record<string, string | undefined>> = process.env): ApiConfig {
  return loadConnectedConfig(apiSettings, env);
}
