import pg from 'pg';
import type { Database } from './database.js';
import { MIGRATIONS_TABLE, migrationsList } from './migrations/index.js';

/** Session-level advisory lock key: every RosterHub process that migrates takes the same one. */
const MIGRATION_LOCK = `select pg_advisory_lock(hashtext('rosterhub:migrate'))`;
const MIGRATION_UNLOCK = `select pg_advisory_unlock(hashtext('rosterhub:migrate'))`;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock on a dedicated
 * connection, so that processes starting together migrate exactly once: the others wait, then
 * find nothing pending. The lock dies with the connection if the process does.
 */
export async function migrate(database: Database, url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(MIGRATION_LOCK);
    try {
      const applied = await database.orm.migrator.up();
      return applied.map((migration) => migration.name);
    } finally {
      await client.query(MIGRATION_UNLOCK);
    }
  } finally {
    await client.end();
  }
}

/** Names of the migrations this code knows that the database has not applied; read-only. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const exists = await database.pool.query<{ present: boolean }>(
    'select to_regclass($1) is not null as present',
    [MIGRATIONS_TABLE],
  );
  if (!exists.rows[0]?.present) return migrationsList.map((m) => m.name);
  const done = await database.pool.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE}`);
  const applied = new Set(done.rows.map((row) => row.name));
  return migrationsList.map((m) => m.name).filter((name) => !applied.has(name));
}
