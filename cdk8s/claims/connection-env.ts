import type { k8s } from 'cdk8s-plus-27';
import type { EnvSource, PostgresConnection, RedisConnection } from './claim.js';

function envVar(name: string, source: EnvSource): k8s.EnvVar {
  return 'value' in source
    ? { name, value: source.value }
    : { name, valueFrom: { secretKeyRef: { name: source.secretName, key: source.key } } };
}

/**
 * PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, then DATABASE_URL composed from
 * them with Kubernetes' `$(VAR)` expansion (no shell). The expansion does not URL-encode,
 * so passwords must be URL-safe; the split variables are there for clients that read them.
 */
export function databaseEnv(connection: PostgresConnection): k8s.EnvVar[] {
  return [
    envVar('PGHOST', connection.host),
    envVar('PGPORT', connection.port),
    envVar('PGUSER', connection.username),
    envVar('PGPASSWORD', connection.password),
    envVar('PGDATABASE', connection.database),
    envVar('PGSSLMODE', connection.sslmode),
    {
      name: 'DATABASE_URL',
      value: 'postgres://$(PGUSER):$(PGPASSWORD)@$(PGHOST):$(PGPORT)/$(PGDATABASE)?sslmode=$(PGSSLMODE)',
    },
  ];
}

/** REDIS_SCHEME, REDIS_HOST, REDIS_PORT, REDIS_PASSWORD, then REDIS_URL composed from them. */
export function redisEnv(connection: RedisConnection): k8s.EnvVar[] {
  return [
    envVar('REDIS_SCHEME', connection.scheme),
    envVar('REDIS_HOST', connection.host),
    envVar('REDIS_PORT', connection.port),
    envVar('REDIS_PASSWORD', connection.password),
    { name: 'REDIS_URL', value: '$(REDIS_SCHEME)://:$(REDIS_PASSWORD)@$(REDIS_HOST):$(REDIS_PORT)' },
  ];
}
