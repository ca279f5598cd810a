import { apiSettings } from '../api/config.js';
import { Database } from '../api/db/database.js';
import { migrate } from '../api/db/migrate.js';
import { connectionTarget, loadConnectedConfig } from '../lib/config/connection-urls.js';
import type { ConfigOf, SettingsSchema } from '../lib/config/settings.js';
import { reportFailure } from './command-errors.js';

const databaseSettings = { databaseUrl: apiSettings.databaseUrl };

/** DATABASE_URL plus whatever else a command asked for. */
export type DatabaseCommandSettings<S extends SettingsSchema> = ConfigOf<S> & {
  readonly databaseUrl: string;
};

/**
 * Runs `fn` with a migrated database. DATABASE_URL and the command's other `settings` are all
 * checked before anything connects. Returns the exit code (see command-errors.ts).
 */
export async function withDatabase<S extends SettingsSchema = typeof databaseSettings>(
  command: string,
  fn: (database: Database, settings: DatabaseCommandSettings<S>) => Promise<number>,
  settings?: S,
): Promise<number> {
  let loaded: DatabaseCommandSettings<S>;
  try {
    // one load, so that every missing or malformed variable is reported at once
    loaded = loadConnectedConfig({ ...databaseSettings, ...settings }) as DatabaseCommandSettings<S>;
  } catch (error) {
    return reportFailure(command, error);
  }
  let database: Database;
  try {
    database = await Database.open({ url: loaded.databaseUrl, poolMax: 2 });
  } catch (error) {
    return reportFailure(
      command,
      new Error(
        `cannot connect to PostgreSQL at ${connectionTarget(loaded.databaseUrl)} (DATABASE_URL): ${(error as Error).message}`,
      ),
    );
  }
  try {
    await migrate(database, loaded.databaseUrl);
    return await fn(database, loaded);
  } catch (error) {
    return reportFailure(command, error);
  } finally {
    await database.close();
  }
}

/** Prints a JSON document on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
