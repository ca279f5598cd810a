import { commandLogger, loadSettingsOrExit } from '../lib/process/startup.js';
import { ApiProcess, StartupError } from './api-process.js';
import { loadApiConfig } from './config.js';

/** Runs the API until SIGTERM or SIGINT; exit code 0 on a clean stop, 1 on failure, 2 on bad config. */
export async function runApi(): Promise<void> {
  const config = loadSettingsOrExit('api', () => loadApiConfig());
  const logger = commandLogger('api', config);
  let api: ApiProcess;
  try {
    api = await ApiProcess.start({ config, logger });
  } catch (error) {
    logger.error(error instanceof StartupError ? error.message : `start-up failed: ${String(error)}`);
    await new Promise((resolve) => setImmediate(resolve));
    process.exit(1);
  }
  const stop = (signal: string): void => {
    // A stop that hangs (a stuck dependency) must not outlive the pod's grace period.
    const budget = config.shutdownDrainMs + config.shutdownTimeoutMs + 5000;
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${budget} ms; exiting`);
      process.exit(1);
    }, budget).unref();
    void api.shutdown(`received ${signal}`).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
