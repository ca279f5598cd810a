import { ConfigError } from '../lib/config/settings.js';
import { createLogger } from '../lib/logging/logger.js';
import { packageVersion } from '../lib/version.js';
import { loadApiConfig } from '../api/config.js';
import { Database } from '../api/db/database.js';
import { migrate } from '../api/db/migrate.js';

/** `rosterhub migrate`: what the operator's migration Job runs. Returns the exit code. */
export async function runMigrateCommand(_args: string[]): Promise<number> {
  let config;
  try {
    config = loadApiConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rosterhub migrate: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({
    service: 'rosterhub-migrate',
    version: packageVersion,
    level: config.logLevel,
    format: config.logFormat,
  });
  const database = await Database.open({ url: config.databaseUrl, poolMax: 2 });
  try {
    const applied = await migrate(database, config.databaseUrl);
    logger.info(
      applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is current',
      { migrations: applied },
    );
    return 0;
  } catch (error) {
    logger.error(`migration failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}
