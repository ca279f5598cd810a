import { ConfigError } from '../lib/config/settings.js';
import { createLogger, type Logger } from '../lib/logging/logger.js';
import { packageVersion } from '../lib/version.js';
import { loadBackupConfig, type BackupConfig } from '../api/backup/config.js';
import { runBackup } from '../api/backup/run-backup.js';
import { RestoreError, runRestore } from '../api/backup/run-restore.js';
import { storeFor } from '../api/backup/stores.js';

function setUp(command: string): { config: BackupConfig; logger: Logger } | number {
  try {
    const config = loadBackupConfig();
    const logger = createLogger({
      service: `rosterhub-${command}`,
      version: packageVersion,
      level: 'info',
      format: 'json',
    });
    return { config, logger };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rosterhub ${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** `rosterhub backup`: what the backup CronJob runs. Returns the exit code. */
export async function runBackupCommand(): Promise<number> {
  const ready = setUp('backup');
  if (typeof ready === 'number') return ready;
  const { config, logger } = ready;
  const store = storeFor(config);
  try {
    const result = await runBackup(config.databaseUrl, store, config.retentionDays, logger);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    logger.error(`backup failed: ${(error as Error).message}`);
    return 1;
  } finally {
    store.close();
  }
}

/** `rosterhub restore [--backup NAME|latest]`: loads a backup into the empty DATABASE_URL database. */
export async function runRestoreCommand(args: string[]): Promise<number> {
  const index = args.indexOf('--backup');
  const which = index === -1 ? 'latest' : (args[index + 1] ?? '');
  if (which === '') {
    process.stderr.write('rosterhub restore: --backup needs a backup name or `latest`\n');
    return 2;
  }
  const ready = setUp('restore');
  if (typeof ready === 'number') return ready;
  const { config, logger } = ready;
  const store = storeFor(config);
  try {
    await runRestore(config.databaseUrl, store, which, logger);
    return 0;
  } catch (error) {
    logger.error(
      error instanceof RestoreError ? error.message : `restore failed: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    store.close();
  }
}
