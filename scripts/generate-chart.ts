// Writes the chart's generated files (CRD, ClusterRole, leader-election Role, dashboards and
// alert copies) from code: `make chart`. With --check, writes nothing and exits 1 on drift.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { chartAssets, chartDir } from './chart-assets.js';

const root = new URL('../', import.meta.url);
const check = process.argv.includes('--check');
const assets = chartAssets(root);
let drift = 0;
for (const [path, content] of assets) {
  const file = new URL(path, root);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  drift += 1;
  if (check) {
    process.stderr.write(`out of date: ${path}\n`);
  } else {
    mkdirSync(dirname(file.pathname), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
// Dashboards removed from dashboards/ leave the chart too.
const copies = new URL(`${chartDir}/dashboards/`, root);
for (const file of existsSync(copies) ? readdirSync(copies) : []) {
  const path = `${chartDir}/dashboards/${file}`;
  if (assets.has(path)) continue;
  drift += 1;
  if (check) process.stderr.write(`not generated: ${path}\n`);
  else rmSync(new URL(path, root));
}
if (check && drift > 0) {
  process.stderr.write('run `make chart` and commit the result\n');
  process.exitCode = 1;
}
