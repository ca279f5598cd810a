import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

/**
 * The file `scripts/services.sh start` writes (and `stop` removes) in the checkout's `.local/`:
 * the DATABASE_URL and REDIS_URL of the PostgreSQL and Redis that `make run` or
 * `make services-start` started, with the ports they really use.
 */
export const LOCAL_SERVICES_FILE = 'services.env';

/** Each variable, and the PG* / REDIS_* ones it is otherwise composed from. */
const CONNECTIONS = {
  DATABASE_URL: 'PGHOST',
  REDIS_URL: 'REDIS_HOST',
} as const;

/**
 * The checkout's `.local/` (RH_LOCAL_DIR when set), as scripts/lib.sh finds it; undefined when
 * this code does not run from a checkout (no scripts/services.sh above it).
 */
export function checkoutLocalDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.RH_LOCAL_DIR) return env.RH_LOCAL_DIR;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'services.sh'))) return join(dir, '.local');
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Fills DATABASE_URL and REDIS_URL from the local services' file when no connection is
 * configured at all (neither variable, nor the PG* / REDIS_* parts they are otherwise composed
 * from), so that the admin commands run from a checkout find the services `make run` started
 * without anything exported. One configured connection means the user chose: nothing is
 * mixed in. Returns the variables it filled. Outside a checkout (an image, an npm install)
 * there is no such file and nothing changes.
 */
export function adoptLocalServices(env: NodeJS.ProcessEnv, localDir = checkoutLocalDir(env)): string[] {
  const configured = Object.entries(CONNECTIONS).some(
    ([name, part]) => Boolean(env[name]) || Boolean(env[part]),
  );
  if (configured || localDir === undefined) return [];
  const file = join(localDir, LOCAL_SERVICES_FILE);
  if (!existsSync(file)) return [];
  const values = parseEnv(readFileSync(file, 'utf8'));
  const adopted: string[] = [];
  for (const name of Object.keys(CONNECTIONS)) {
    const value = values[name];
    if (value) {
      env[name] = value;
      adopted.push(name);
    }
  }
  return adopted;
}
