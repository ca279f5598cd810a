import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs every `*.bench.js` next to this file (compiled from bench/*.bench.ts), one process each,
 * or only those whose name contains one of the arguments. Exits non-zero if any crashed.
 */
const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.bench.js'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file.replace(/\.js$/, '')}\n`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(here, file)], {
    stdio: 'inherit',
    env: process.env,
  });
  if (run.status !== 0) {
    failed += 1;
    process.stdout.write(`!! ${file} exited with ${run.status ?? run.signal}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
