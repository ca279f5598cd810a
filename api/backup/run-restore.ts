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

async function userTables(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      `select count(*) from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    return Number(result.rows[0]?.count ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * Loads a backup into an empty database (a new district restored from a backup). A database
 * that already has tables is refused: a restore never overwrites data. The restore is one
 * transaction, so a failure leaves the database as empty as it was.
 */
export async function runRestore(
  databaseUrl: string,
  store: BackupStore,
  which: string,
  logger: Logger,
): Promise<string> {
  const tables = await userTables(databaseUrl);
  if (tables > 0) {
    throw new RestoreError(
      `the database in DATABASE_URL is not empty (${tables} tables): restore only into a new, empty database; nothing was changed`,
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
