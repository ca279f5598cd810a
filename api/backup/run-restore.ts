import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import type { Logger } from '../../lib/logging/logger.js';
import type { BackupStore } from './backup-store.js';
import { libpqEnv } from './pg-env.js';

/** Why a restore was refused or failed, in words that say what to do. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

/** Bookkeeping tables a freshly migrated database fills on its own. */
const BOOKKEEPING = new Set(['rosterhub_migrations', 'rosterhub_data_version', 'rosterhub_database_epoch']);

type DatabaseState = { kind: 'empty' } | { kind: 'fresh' } | { kind: 'in use'; table: string };

/**
 * `empty`: no tables. `fresh`: only a migrated schema with no data (a newly installed
 * district), which the restore may replace. `in use`: some table holds rows.
 */
async function databaseState(databaseUrl: string): Promise<DatabaseState> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      `select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`,
    );
    if (tables.rows.length === 0) return { kind: 'empty' };
    for (const { schemaname, tablename } of tables.rows) {
      if (BOOKKEEPING.has(tablename)) continue;
      const quoted = `${client.escapeIdentifier(schemaname)}.${client.escapeIdentifier(tablename)}`;
      const rows = await client.query<{ count: string }>(
        `select count(*) from (select 1 from ${quoted} limit 1) t`,
      );
      if (Number(rows.rows[0]?.count ?? 0) > 0)
        return { kind: 'in use', table: `${schemaname}.${tablename}` };
    }
    return { kind: 'fresh' };
  } finally {
    await client.end();
  }
}

/**
 * Loads a backup into an empty database, or into a newly installed district whose migrated
 * schema holds no data yet (its empty tables are replaced). A database with any data is
 * refused: a restore never overwrites data. The restore is one transaction, so a failure leaves
 * the database as it was.
 */
export async function runRestore(
  databaseUrl: string,
  store: BackupStore,
  which: string,
  logger: Logger,
): Promise<string> {
  const state = await databaseState(databaseUrl);
  if (state.kind === 'in use') {
    throw new RestoreError(
      `the database in DATABASE_URL is not empty (table ${state.table} has rows): restore only into a new district or an empty database; nothing was changed`,
    );
  }
  const backups = (await store.list()).sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  const chosen = which === 'latest' ? backups[0] : backups.find((backup) => backup.name === which);
  if (!chosen) {
    const known = backups.slice(0, 5).map((backup) => backup.name);
    throw new RestoreError(
      which === 'latest'
        ? `no backup in ${store.description}`
        : `no backup named ${which} in ${store.description}${known.length > 0 ? ` (newest: ${known.join(', ')})` : ''}`,
    );
  }
  const env = libpqEnv(databaseUrl);
  const restore = spawn(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      ...(state.kind === 'fresh' ? ['--clean', '--if-exists'] : []),
      `--dbname=${env.PGDATABASE ?? ''}`,
    ],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  restore.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(restore, 'close').then(([code]) => code as number | null);
  await pipeline(await store.get(chosen.name), restore.stdin).catch((error: unknown) => {
    // pg_restore stopping early closes stdin; its exit code says why
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  });
  const code = await exited;
  if (code !== 0)
    throw new RestoreError(`pg_restore of ${chosen.name} failed (exit ${code}): ${stderr.trim()}`);
  logger.info(`restored backup ${chosen.name} from ${store.description}`, { backup: chosen.name });
  return chosen.name;
}
