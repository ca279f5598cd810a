import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { exportPackage } from '../api/exports/exporter.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = 'usage: rosterhub export <file.zip> [--mode bulk|delta]';

/** `rosterhub export FILE.zip`: writes the roster as a OneRoster 1.2 CSV package (streamed). */
export async function runExportCommand(args: string[]): Promise<number> {
  return withDatabase('export', async (_database, { databaseUrl }) => {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { mode: { type: 'string', default: 'bulk' } },
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
    const file = parsed.positionals[0];
    const mode = parsed.values.mode;
    if (!file || (mode !== 'bulk' && mode !== 'delta')) throw new UsageError(USAGE);
    const started = performance.now();
    const output = createWriteStream(file);
    await pipeline(await exportPackage(databaseUrl, mode), output);
    printJson({
      file,
      mode,
      bytes: output.bytesWritten,
      seconds: Math.round(performance.now() - started) / 1000,
    });
    return 0;
  });
}
