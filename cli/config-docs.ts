import { settingsTable, type SettingsSchema } from '../lib/config/settings.js';
import { apiSettings } from '../api/config.js';
import { backupSettings } from '../api/backup/config.js';
import { workerSettings } from '../api/worker/config.js';
import { operatorSettings } from '../operator/config.js';

/** Every process's settings, as the README shows them: one source of truth for the docs. */
const sections: [string, SettingsSchema][] = [
  ['API (`rosterhub api`)', apiSettings],
  ['Import worker (`rosterhub worker`)', workerSettings],
  ['Operator (`rosterhub operator`)', operatorSettings],
  ['Backup and restore (`rosterhub backup`, `rosterhub restore`)', backupSettings],
];

export function configurationDocs(): string {
  return sections.map(([title, schema]) => `### ${title}\n\n${settingsTable(schema)}\n`).join('\n');
}
