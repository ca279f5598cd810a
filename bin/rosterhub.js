#!/usr/bin/env node
// The `rosterhub` command: runs the compiled CLI (`npm run build` writes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('rosterhub: dist/ is missing; run `make build` (or `npm run build`) first\n');
  process.exit(1);
}
await import(entry.href);
