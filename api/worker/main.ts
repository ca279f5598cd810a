import { commandLogger, loadSettingsOrExit } from '../../lib/process/startup.js';
import { loadWorkerConfig } from './config.js';
import { ImportWorker } from './import-worker.js';

/** Runs the import worker until SIGTERM or SIGINT; exit 0 on a clean stop, 1 on failure, 2 on bad config. */
export async function runWorker(): Promise<void> {
  const config = loadSettingsOrExit('worker', () => loadWorkerConfig());
  const logger = commandLogger('worker', config);
  const worker = new ImportWorker(config, logger);
  try {
    await worker.start();
  } catch (error) {
    logger.error(`start-up failed: ${(error as Error).message}`);
    await worker.close(0);
    process.exit(1);
  }
  const stop = (signal: string): void => {
    logger.info(`shutting down: received ${signal}`);
    void worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
