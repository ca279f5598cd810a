import { parseArgs } from 'node:util';
import { ImportJobStore } from '../api/imports/job-store.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = 'usage: rosterhub imports list [--limit N]';

/**
 * `rosterhub imports list [--limit N]`: the latest imports (default 10), newest first, as JSON:
 * state, outcome, counts and timings, without the per-file progress.
 */
export async function runImportsCommand(args: string[]): Promise<number> {
  return withDatabase('imports', async (database) => {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { limit: { type: 'string' } } });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
    if (parsed.positionals[0] !== 'list' || parsed.positionals.length > 1) throw new UsageError(USAGE);
    const limit = parsed.values.limit === undefined ? 10 : Number(parsed.values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError(`--limit must be a whole number from 1 to 1000\n${USAGE}`);
    const jobs = await new ImportJobStore(database.pool).latest(limit);
    printJson(jobs.map(({ progress: _progress, result, ...job }) => ({ ...job, counts: result?.counts })));
    return 0;
  });
}
