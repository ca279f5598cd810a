import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One benchmark's figure against a baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  /** value / baseline */
  ratio: number;
  /** What "pass" means, in words (e.g. "ratio >= 0.8"). */
  goal: string;
  pass: boolean;
  /** Further figures worth keeping (percentiles, sizes). */
  details?: Record<string, number | string>;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench', 'results');

/** Prints the human summary and writes `bench/results/<name>.json`. */
export function reportResult(result: Omit<BenchResult, 'ratio'> & { ratio?: number }): BenchResult {
  const full: BenchResult = { ...result, ratio: result.ratio ?? round(result.value / result.baseline) };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${full.name}.json`), `${JSON.stringify(full, null, 2)}\n`);
  const details = full.details
    ? ` (${Object.entries(full.details)
        .map(([key, value]) => `${key} ${value}`)
        .join(', ')})`
    : '';
  process.stdout.write(
    `${full.pass ? 'PASS' : 'FAIL'} ${full.name}: ${full.value} ${full.unit} vs baseline ${full.baseline} ${full.unit}` +
      ` = ${full.ratio}x; goal ${full.goal}${details}\n`,
  );
  return full;
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
