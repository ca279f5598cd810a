import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Database } from './database.js';
import { MIGRATIONS_TABLE, migrationsList } from './migrations/index.js';

/** Advisory lock key: every RosterHub process that migrates takes the same one. */
const TRY_MIGRATION_LOCK = `select pg_try_advisory_xact_lock(hashtext('rosterhub:migrate')) as locked`;
/** How often a process that waits for another's migrations asks for the lock again. */
const LOCK_RETRY_MS = 250;

/**
 * Applies pending migrations while holding a PostgreSQL advisory lock, so that processes
 * starting together migrate exactly once: the others wait, then find nothing pending. The lock
 * belongs to a transaction that stays open on a dedicated connection while the migrations run:
 * behind a transaction pooler that pins one server connection, where a session lock and its
 * unlock could land on two. A process that waits asks again and again in short transactions
 * rather than blocking in one, so that waiters do not hold server connections the migrating
 * process needs. The lock goes with the transaction, or with the connection if the process dies.
 */
export async function migrate(database: Database, url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      await client.query('begin');
      const { rows } = await client.query<{ locked: boolean }>(TRY_MIGRATION_LOCK);
      if (rows[0]?.locked) break;
      await client.query('commit');
      await sleep(LOCK_RETRY_MS);
    }
    try {
      const applied = await database.orm.migrator.up();
      return applied.map((migration) => migration.name);
    } finally {
      await client.query('commit');
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
