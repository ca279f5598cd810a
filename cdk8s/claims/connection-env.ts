import type { k8s } from 'cdk8s-plus-27';
import type { EnvSource, PostgresConnection, RedisConnection } from './claim.js';

function envVar(name: string, source: EnvSource): k8s.EnvVar {
  return 'value' in source
    ? { name, value: source.value }
    : {
        name,
        valueFrom: {
          secretKeyRef: {
            name: source.secretName,
            key: source.key,
            ...(source.optional ? { optional: true } : {}),
          },
        },
      };
}

/**
 * PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE (and DATABASE_POOL_MODE where the
 * connection has one). The app composes DATABASE_URL
 * from them itself, escaping the password (`$(VAR)` expansion in a manifest would not), and
 * pg_dump reads them as they are.
 */
export function databaseEnv(connection: PostgresConnection): k8s.EnvVar[] {
  return [
    envVar('PGHOST', connection.host),
    envVar('PGPORT', connection.port),
    envVar('PGUSER', connection.username),
    envVar('PGPASSWORD', connection.password),
    envVar('PGDATABASE', connection.database),
    envVar('PGSSLMODE', connection.sslmode),
    ...(connection.poolMode ? [envVar('DATABASE_POOL_MODE', connection.poolMode)] : []),
  ];
}

/** REDIS_SCHEME, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD; the app composes REDIS_URL, escaping the key. */
export function redisEnv(connection: RedisConnection): k8s.EnvVar[] {
  return [
    envVar('REDIS_SCHEME', connection.scheme),
    envVar('REDIS_HOST', connection.host),
    envVar('REDIS_PORT', connection.port),
    envVar('REDIS_PASSWORD', connection.password),
  ];
}
