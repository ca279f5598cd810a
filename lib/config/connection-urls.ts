import { ConfigError, loadConfig, type ConfigOf, type SettingsSchema } from './settings.js';

/**
 * Kubernetes hands the app its connection settings as separate variables (PGHOST, PGPASSWORD,
 * REDIS_HOST, REDIS_PASSWORD, ...), read from Secrets. A password may hold characters a URL
 * must escape (an Azure Cache for Redis key is base64: `+`, `/`, `=`), so the URLs are
 * composed here, with escaping, rather than by `$(VAR)` expansion in the manifest.
 * An explicit DATABASE_URL / REDIS_URL always wins.
 */
export function withConnectionUrls(
  env: Readonly<Record<string, string | undefined>>,
): Readonly<Record<string, string | undefined>> {
  const result: Record<string, string | undefined> = { ...env };
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const composesDatabase = !set('DATABASE_URL') && set('PGHOST');
  const composesRedis = !set('REDIS_URL') && set('REDIS_HOST');
  // a bad part is named as itself: the person set PGPORT, not DATABASE_URL
  const problems = [
    ...(composesDatabase ? portProblems(env, 'PGPORT', 'DATABASE_URL') : []),
    ...(composesRedis ? portProblems(env, 'REDIS_PORT', 'REDIS_URL') : []),
  ];
  if (problems.length > 0) throw new ConfigError(problems);
  if (composesDatabase) {
    const user = env.PGUSER ? encodeURIComponent(env.PGUSER) : '';
    const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
    const credentials = user || password ? `${user}${password}@` : '';
    const params = new URLSearchParams();
    if (env.PGSSLMODE) params.set('sslmode', env.PGSSLMODE);
    if (env.PGSSLROOTCERT) params.set('sslrootcert', env.PGSSLROOTCERT);
    const query = params.size > 0 ? `?${params.toString()}` : '';
    result.DATABASE_URL = `postgres://${credentials}${env.PGHOST}:${orDefault(env.PGPORT, '5432')}/${encodeURIComponent(env.PGDATABASE ?? 'postgres')}${query}`;
  }
  if (composesRedis) {
    const password = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
    result.REDIS_URL = `${env.REDIS_SCHEME ?? 'redis'}://${password}${env.REDIS_HOST}:${orDefault(env.REDIS_PORT, '6379')}`;
  }
  return result;
}

/** The variable's value, or `fallback` when it is unset or blank. */
function orDefault(value: string | undefined, fallback: string): string {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? fallback : trimmed;
}

function portProblems(
  env: Readonly<Record<string, string | undefined>>,
  name: 'PGPORT' | 'REDIS_PORT',
  composes: string,
): string[] {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return [];
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  return port >= 1 && port <= 65535
    ? []
    : [
        `${name}=${JSON.stringify(raw)} is invalid: expected a port number (1-65535); it makes up ${composes}`,
      ];
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  'postgres:': '5432',
  'postgresql:': '5432',
  'redis:': '6379',
  'rediss:': '6379',
};

/** Where a connection URL points, for messages: `host:port/path`, never its credentials. */
export function connectionTarget(url: string): string {
  const parsed = new URL(url);
  const port = parsed.port || (DEFAULT_PORTS[parsed.protocol] ?? '');
  const path = parsed.pathname === '/' ? '' : parsed.pathname;
  return `${parsed.hostname}${port ? `:${port}` : ''}${path}`;
}

/**
 * `loadConfig` for every RosterHub process (API, worker, backup, CLI commands): DATABASE_URL and
 * REDIS_URL, when unset, are composed from the PG* and REDIS_* variables the operator's pods get.
 */
export function loadConnectedConfig<S extends SettingsSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ConfigOf<S> {
  return loadConfig(schema, withConnectionUrls(env));
}
