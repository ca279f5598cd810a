import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../bin/rosterhub.js', import.meta.url));

/** How a `rosterhub` process ended, with everything it wrote. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `bin/rosterhub.js ARGS` with only PATH and `env` in its environment (and no local
 * services to fall back on unless `env` names an RH_LOCAL_DIR). `done` settles when it exits;
 * `output()` is its stdout so far.
 */
export function startCli(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcessByStdio<null, Readable, Readable>; done: Promise<CliRun>; output: () => string } {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? '', RH_LOCAL_DIR: '/nonexistent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = once(child, 'exit').then(
    ([code]) => ({ code: code as number | null, stdout, stderr }) satisfies CliRun,
  );
  return { child, done, output: () => stdout };
}
