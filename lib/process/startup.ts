import { ConfigError } from '../config/settings.js';
import { createLogger, type LogFormat, type Logger } from '../logging/logger.js';
import { packageVersion } from '../version.js';

/**
 * Loads a command's settings. A missing or malformed variable prints
 * `rosterhub <command>: invalid configuration: …` (every problem at once) and exits with 2.
 */
export function loadSettingsOrExit<T>(command: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rosterhub ${command}: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** The JSON (or pretty) logger of one `rosterhub` command, tagged `rosterhub-<command>`. */
export function commandLogger(
  command: string,
  settings: { logLevel?: string; logFormat?: LogFormat } = {},
): Logger {
  return createLogger({
    service: `rosterhub-${command}`,
    version: packageVersion,
    level: settings.logLevel ?? 'info',
    format: settings.logFormat ?? 'json',
  });
}
