import { parseArgs } from 'node:util';
import { SIZES, generateDistrict } from '../api/generator/district.js';
import { writeCsvPackage } from '../api/generator/csv.js';
import { districtOptions } from './seed-command.js';
import { UsageError, reportFailure } from './command-errors.js';
import { printJson } from './database-command.js';

const USAGE = 'usage: rosterhub generate --size small|large [--seed N] --out DIR [--mode bulk|delta]';

/** `rosterhub generate`: writes a generated district as a OneRoster 1.2 CSV package into DIR. */
export async function runGenerateCommand(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({
      args,
      options: {
        size: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        mode: { type: 'string' },
      },
    });
    const { size, seed } = districtOptions(values);
    if (!values.out) throw new UsageError(USAGE);
    const mode = values.mode ?? 'bulk';
    if (mode !== 'bulk' && mode !== 'delta') throw new UsageError('--mode must be bulk or delta');
    const files = await writeCsvPackage(generateDistrict(SIZES[size], seed), values.out, mode);
    printJson({ size, seed, mode, out: values.out, files });
    return 0;
  } catch (error) {
    return reportFailure('generate', error);
  }
}
