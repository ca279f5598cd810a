import { ConfigError } from '../lib/config/settings.js';
import { redactString } from '../lib/logging/redact.js';

/*
 * Exit codes of every `rosterhub` command: 0 done; 1 the operation failed or was rejected (a
 * service unreachable, an import rejected); 2 the command cannot run as given — bad usage or
 * configuration (a missing or malformed variable) — so running it again unchanged cannot help.
 */

/** Thrown for bad command-line usage; the message is printed and the exit code is 2. */
export class UsageError extends Error {}

/** 2 for bad usage or configuration, 1 for anything else. */
export function exitCodeFor(error: unknown): 1 | 2 {
  const badArguments = String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_');
  return error instanceof UsageError || error instanceof ConfigError || badArguments ? 2 : 1;
}

/** Prints why `command` stopped, credentials in any URL masked, and returns its exit code. */
export function reportFailure(command: string, error: unknown): 1 | 2 {
  const message = (error as Error).message;
  // A ConfigError never shows secret values; its URL templates (`redis://[:password@]…`) stay.
  const shown = error instanceof ConfigError ? message : redactString(message);
  process.stderr.write(`rosterhub ${command}: ${shown}\n`);
  return exitCodeFor(error);
}
