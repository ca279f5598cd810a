import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { apiSettings } from '../api/config.js';
import { importQueue, submitImport } from '../api/imports/import-queue.js';
import { ImportJobStore, type ImportJobView } from '../api/imports/job-store.js';
import { PackageStore, type StoredPackage } from '../api/imports/package-store.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';
import { ProgressView } from './import-progress.js';
import { connectRedis } from './redis-connection.js';

const USAGE = 'usage: rosterhub import <package.zip|folder> [--dry-run] [--strict] [--no-wait]';
const FINISHED = new Set(['completed', 'rejected', 'failed']);
const importSettings = { redisUrl: apiSettings.redisUrl };

/** Prints a rejected job's problems on stderr, one per line, with the totals. */
function printProblems(job: ImportJobView): void {
  const report = job.result?.report;
  if (!report) return;
  for (const p of [...report.errors, ...report.warnings]) {
    const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
    const value = p.value === undefined ? '' : ` (value ${JSON.stringify(p.value)})`;
    process.stderr.write(
      `${p.severity === 'error' ? 'error' : 'warning'} ${where} [${p.rule}] ${p.message}${value}\n`,
    );
  }
  process.stderr.write(
    `${report.totals.errors} errors, ${report.totals.warnings} warnings${report.truncated ? ' (list capped)' : ''}\n`,
  );
}

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
        const view = new ProgressView(process.stderr);
        let current: ImportJobView = job;
        while (!FINISHED.has(current.state)) {
          await sleep(250);
          current = (await store.find(job.id)) ?? current;
          view.update(current);
        }
        view.done();
        const { result, progress: _progress, ...summary } = current;
        printJson({
          ...summary,
          counts: result?.counts,
          timings: { ...summary.timings, phases: result?.timings },
        });
        if (current.state === 'rejected') {
          printProblems(current);
          return 1;
        }
        if (current.result?.report.warnings.length) printProblems(current);
        return current.state === 'completed' ? 0 : 1;
      } finally {
        // the command's result is already decided; a queue that will not close changes nothing
        await queue.close().catch(() => undefined);
        redis.disconnect();
      }
    },
    importSettings,
  );
}
