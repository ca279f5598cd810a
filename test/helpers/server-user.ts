import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PostgreSQL and PgBouncer refuse to run as root: as root they run as the `postgres` system user. */
const asRoot = (): boolean => process.getuid?.() === 0;

/** The command and arguments that run `command` as the server user. */
export function serverUserCommand(command: string, args: readonly string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

/** Gives `paths` (recursively) to the server user, so that it can read and write them. */
export async function giveToServerUser(...paths: string[]): Promise<void> {
  if (asRoot()) await run('chown', ['-R', 'postgres', ...paths]);
}
