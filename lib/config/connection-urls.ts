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
  if (!set('DATABASE_URL') && set('PGHOST')) {
    const user = env.PGUSER ? encodeURIComponent(env.PGUSER) : '';
    const password = env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '';
    const credentials = user || password ? `${user}${password}@` : '';
    const query = env.PGSSLMODE ? `?sslmode=${encodeURIComponent(env.PGSSLMODE)}` : '';
    result.DATABASE_URL = `postgres://${credentials}${env.PGHOST}:${env.PGPORT ?? '5432'}/${encodeURIComponent(env.PGDATABASE ?? 'postgres')}${query}`;
  }
  if (!set('REDIS_URL') && set('REDIS_HOST')) {
    const password = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
    result.REDIS_URL = `${env.REDIS_SCHEME ?? 'redis'}://${password}${env.REDIS_HOST}:${env.REDIS_PORT ?? '6379'}`;
  }
  return result;
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
