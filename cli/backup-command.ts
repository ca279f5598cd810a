import { commandLogger, loadSettingsOrExit } from '../lib/process/startup.js';
import { loadBackupConfig } from '../api/backup/config.js';
import { runBackup } from '../api/backup/run-backup.js';
import { RestoreError, runRestore } from '../api/backup/run-restore.js';
import { storeFor } from '../api/backup/stores.js';
import { waitUntilReachable } from './database-reachable.js';

/** How long backup and restore wait for PostgreSQL to accept their connection. */
const DATABASE_WAIT_SECONDS = 120;

/**
 * An error as an operator reads it: cloud SDKs name the refusal in `name` (InvalidIdentityToken,
 * AccessDenied, AuthorizationFailure) and keep only a short sentence in `message`.
 */
function failureOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' || error.message.includes(error.name)
    ? error.message
    : `${error.name}: ${error.message}`;
}

/** `rosterhub backup`: what the backup CronJob runs. Returns the exit code. */
export async function runBackupCommand(): Promise<number> {
  const config = loadSettingsOrExit('backup', () => loadBackupConfig());
  const logger = commandLogger('backup');
  if (!(await waitUntilReachable(config.databaseUrl, logger, DATABASE_WAIT_SECONDS))) return 1;
  const store = storeFor(config);
  try {
    const result = await runBackup(config.databaseUrl, store, config.retentionDays, logger);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    logger.error(`backup to ${store.description} failed: ${failureOf(error)}`);
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
  const config = loadSettingsOrExit('restore', () => loadBackupConfig());
  const logger = commandLogger('restore');
  if (!(await waitUntilReachable(config.databaseUrl, logger, DATABASE_WAIT_SECONDS))) return 1;
  const store = storeFor(config);
  try {
    await runRestore(config.databaseUrl, store, which, logger);
    return 0;
  } catch (error) {
    logger.error(
      error instanceof RestoreError
        ? error.message
        : `restore from ${store.description} failed: ${failureOf(error)}`,
    );
    return 1;
  } finally {
    store.close();
  }
}
