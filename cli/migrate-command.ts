import { commandLogger, loadSettingsOrExit } from '../lib/process/startup.js';
import { apiSettings } from '../api/config.js';
import { migrate } from '../api/db/migrate.js';
import { loadConnectedConfig } from '../lib/config/connection-urls.js';
import { openWhenReachable } from './database-reachable.js';

/** What the migration needs: PostgreSQL only, so it runs without REDIS_URL. */
const migrateSettings = {
  databaseUrl: apiSettings.databaseUrl,
  logLevel: apiSettings.logLevel,
  logFormat: apiSettings.logFormat,
};

/** `rosterhub migrate`: what the operator's migration Job runs. Returns the exit code. */
export async function runMigrateCommand(args: string[]): Promise<number> {
  const config = loadSettingsOrExit('migrate', () => loadConnectedConfig(migrateSettings));
  const logger = commandLogger('migrate', config);
  const database = await openWhenReachable(config.databaseUrl, logger, waitSeconds(args));
  if (!database) return 1;
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

/** `--wait N` (seconds, default 300): how long to wait for PostgreSQL to accept connections. */
function waitSeconds(args: string[]): number {
  const index = args.indexOf('--wait');
  const value = index === -1 ? undefined : Number(args[index + 1]);
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : 300;
}
