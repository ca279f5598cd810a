import { parseArgs } from 'node:util';
import { loadDistrict } from '../api/data/bulk-loader.js';
import { SIZES, generateDistrict, type SizeName } from '../api/generator/district.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = 'usage: rosterhub seed --size small|large [--seed N]';

/** Parses `--size` and `--seed` (shared with `generate`). */
export function districtOptions(values: { size?: string | undefined; seed?: string | undefined }): {
  size: SizeName;
  seed: number;
} {
  if (values.size === undefined || !(values.size in SIZES))
    throw new UsageError(`--size must be one of ${Object.keys(SIZES).join(', ')}`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new UsageError('--seed must be a whole number from 0 to 4294967295');
  return { size: values.size as SizeName, seed };
}

/**
 * `rosterhub seed --size small|large [--seed N]`: replaces the roster data in DATABASE_URL with a
 * generated district (COPY on a raw connection), bumps the data version, prints a JSON summary.
 */
export async function runSeedCommand(args: string[]): Promise<number> {
  return withDatabase('seed', async (_database, { databaseUrl }) => {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { size: { type: 'string' }, seed: { type: 'string' } } });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
    const { size, seed } = districtOptions(parsed.values);
    const started = Date.now();
    const rows = await loadDistrict(databaseUrl, generateDistrict(SIZES[size], seed), (message) =>
      process.stderr.write(`seed: ${message}\n`),
    );
    printJson({ size, seed, rows, seconds: Math.round((Date.now() - started) / 100) / 10 });
    return 0;
  });
}
