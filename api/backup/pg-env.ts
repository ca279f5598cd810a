import { libpqTlsEnv } from '../../lib/db/postgres-tls.js';

/**
 * libpq environment for pg_dump / pg_restore from a connection URL, so that the password never
 * appears on a command line (visible in the process list) or in a log.
 */
export function libpqEnv(databaseUrl: string): Record<string, string> {
  const url = new URL(databaseUrl);
  const env: Record<string, string> = {
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGDATABASE: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  return url.searchParams.has('sslmode') ? { ...env, ...libpqTlsEnv(databaseUrl) } : env;
}
