#!/usr/bin/env node
// `kubectl rosterhub …`: kubectl runs this executable when it is on PATH (npm install -g
// rosterhub, or krew); it runs the compiled plugin (`npm run build` writes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/kubectl/plugin.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('kubectl-rosterhub: dist/ is missing; run `make build` (or `npm run build`) first\n');
  process.exit(1);
}
const { runKubectlPlugin } = await import(entry.href);
process.exitCode = await runKubectlPlugin(process.argv.slice(2));
