import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Logger } from '../../lib/logging/logger.js';
import { backupName, type BackupStore } from './backup-store.js';
import { libpqEnv } from './pg-env.js';
import { expiredBackups } from './retention.js';

export interface BackupResult {
  name: string;
  bytes: number;
  seconds: number;
  pruned: string[];
}

/**
 * Streams `pg_dump --format=custom` into the store (memory stays flat whatever the size), then
 * deletes backups past the retention. The upload is committed only when pg_dump exits 0: a
 * failed dump leaves no backup behind, and nothing is pruned.
 */
export async function runBackup(
  databaseUrl: string,
  store: BackupStore,
  retentionDays: number,
  logger: Logger,
  now = new Date(),
): Promise<BackupResult> {
  const started = performance.now();
  const name = backupName(now);
  const dump = spawn('pg_dump', ['--format=custom', '--no-owner', '--no-privileges'], {
    env: { PATH: process.env.PATH ?? '', ...libpqEnv(databaseUrl) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  dump.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const body = new PassThrough();
  let bytes = 0;
  dump.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
  dump.stdout.pipe(body, { end: false });
  const exited = once(dump, 'close').then(([code]) => code as number | null);
  const spawnFailed = once(dump, 'error').then(([error]) => {
    throw new Error(`cannot run pg_dump: ${(error as Error).message}`);
  });
  void exited.then((code) => {
    if (code === 0) body.end();
    else body.destroy(new Error(`pg_dump exited with ${code}: ${stderr.trim() || 'no message'}`));
  });
  await Promise.race([store.put(name, body), spawnFailed]);
  const code = await exited;
  if (code !== 0) throw new Error(`pg_dump exited with ${code}: ${stderr.trim()}`);
  logger.info(`backup ${name} written to ${store.description}`, { backup: name, bytes });

  const pruned: string[] = [];
  for (const expired of expiredBackups(await store.list(), retentionDays, now)) {
    await store.delete(expired.name);
    pruned.push(expired.name);
  }
  if (pruned.length > 0)
    logger.info(`deleted ${pruned.length} backups older than ${retentionDays} days`, { pruned });
  return { name, bytes, seconds: (performance.now() - started) / 1000, pruned };
}
