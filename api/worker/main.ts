import { ConfigError } from '../../lib/config/settings.js';
import { createLogger } from '../../lib/logging/logger.js';
import { packageVersion } from '../../lib/version.js';
import { loadWorkerConfig } from './config.js';
import { ImportWorker } from './import-worker.js';

/** Runs the import worker until SIGTERM or SIGINT; exit 0 on a clean stop, 1 on failure, 2 on bad config. */
export async function runWorker(): Promise<void> {
  let config;
  try {
    config = loadWorkerConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rosterhub worker: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger({
    service: 'rosterhub-worker',
    version: packageVersion,
    level: config.logLevel,
    format: config.logFormat,
  });
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
