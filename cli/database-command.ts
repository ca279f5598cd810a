import { apiSettings } from '../api/config.js';
import { Database } from '../api/db/database.js';
import { migrate } from '../api/db/migrate.js';
import { ConfigError, loadConfig } from '../lib/config/settings.js';

/** Thrown for bad command-line usage; the message is printed and the exit code is 2. */
export class UsageError extends Error {}

/** DATABASE_URL from the environment (the only setting these commands need). */
export function databaseUrl(): string {
  return loadConfig({ databaseUrl: apiSettings.databaseUrl }).databaseUrl;
}

/** Runs `fn` with a migrated database; maps usage/config errors to exit code 2, others to 1. */
export async function withDatabase(
  command: string,
  fn: (database: Database, url: string) => Promise<number>,
): Promise<number> {
  let url: string;
  try {
    url = databaseUrl();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rosterhub ${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let database: Database;
  try {
    database = await Database.open({ url, poolMax: 2 });
  } catch (error) {
    process.stderr.write(
      `rosterhub ${command}: cannot connect to PostgreSQL (DATABASE_URL): ${(error as Error).message}\n`,
    );
    return 1;
  }
  try {
    await migrate(database, url);
    return await fn(database, url);
  } catch (error) {
    process.stderr.write(`rosterhub ${command}: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  } finally {
    await database.close();
  }
}

/** Prints a JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
