import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Setting } from '../../lib/config/settings.js';

/** Where uploaded packages wait for the worker (the API and the worker must share it). */
export const importSpoolDirSetting = {
  env: 'IMPORT_SPOOL_DIR',
  doc: 'Folder where uploaded CSV packages wait for the worker; the API and the worker must share it',
  default: join(tmpdir(), 'rosterhub-imports'),
  parse: (raw: string) => raw,
} satisfies Setting<string>;
