import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { apiSettings } from '../api/config.js';
import { importQueue, submitImport } from '../api/imports/import-queue.js';
import { ImportJobStore } from '../api/imports/job-store.js';
import { PackageStore, type StoredPackage } from '../api/imports/package-store.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';
import { followImport } from './import-follow.js';
import { connectRedis } from './redis-connection.js';

const USAGE = 'usage: rosterhub import <package.zip|folder> [--dry-run] [--strict] [--no-wait]';
const importSettings = { redisUrl: apiSettings.redisUrl };

/**
 * `rosterhub import`: stores a package (a zip, or the files of a folder) in PostgreSQL, where
 * the worker reads it from any Pod, queues it, then follows the job with a progress bar. Exit 0 when it
 * was applied (or changed nothing, or passed a dry run), 1 when rejected or failed (or PostgreSQL
 * or Redis cannot be reached), 2 on bad usage or configuration.
 */
export async function runImportCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        'no-wait': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`rosterhub import: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const path = parsed.positionals[0];
  if (!path || parsed.positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase(
    'import',
    async (database, settings) => {
      const redis = await connectRedis(settings.redisUrl);
      const queue = importQueue(redis);
      // each queue call that fails rejects, and the command reports it
      queue.on('error', () => undefined);
      try {
        const packages = new PackageStore(database.pool);
        let isFolder: boolean;
        try {
          isFolder = (await stat(path)).isDirectory();
        } catch (error) {
          throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
        }
        const stored: StoredPackage = isFolder
          ? await packages.saveFolder(path)
          : await packages.saveZip(createReadStream(path, { highWaterMark: 1 << 20 }));
        const { job, queued } = await submitImport(database.pool, queue, stored, {
          dryRun: parsed.values['dry-run'],
          strict: parsed.values.strict,
        });
        process.stderr.write(`import ${job.id}: ${queued ? 'queued' : `already ${job.state}`}\n`);
        if (parsed.values['no-wait']) {
          printJson(job);
          return 0;
        }
        const store = new ImportJobStore(database.pool);
        return await followImport(job, () => store.find(job.id));
      } finally {
        // the command's result is already decided; a queue that will not close changes nothing
        await queue.close().catch(() => undefined);
        redis.disconnect();
      }
    },
    importSettings,
  );
}
