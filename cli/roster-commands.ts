import { runClientsCommand } from './clients-command.js';
import { runGenerateCommand } from './generate-command.js';
import { runKeysCommand } from './keys-command.js';
import { runSeedCommand } from './seed-command.js';

/** Dispatches the roster data and credential commands (kept out of main.ts, which is shared). */
export function runRosterCommand(
  command: 'seed' | 'generate' | 'clients' | 'keys',
  args: string[],
): Promise<number> {
  switch (command) {
    case 'seed':
      return runSeedCommand(args);
    case 'generate':
      return runGenerateCommand(args);
    case 'clients':
      return runClientsCommand(args);
    case 'keys':
      return runKeysCommand(args);
  }
}
