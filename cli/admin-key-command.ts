import { parseArgs } from 'node:util';
import { CredentialsRepository } from '../api/data/credentials-repository.js';
import { ADMIN_SCOPE, ADMIN_SCOPES, type AdminPurpose } from '../api/routes/admin-auth.js';
import { CredentialAdmin } from '../api/services/credential-admin.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = 'usage: rosterhub admin-key create --name NAME [--only import|export]';

/**
 * `rosterhub admin-key create`: an `rh_live_` API key for RosterHub's administration endpoints,
 * printed once: imports and exports, or with `--only import` (an SIS that pushes packages) or
 * `--only export` just one of them. Listed and revoked with `rosterhub keys`.
 */
export async function runAdminKeyCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase('admin-key', async (database) => {
    const { values } = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, only: { type: 'string' } },
    });
    const name = values.name?.trim();
    if (!name || name.length > 200) throw new UsageError(USAGE);
    if (values.only !== undefined && !(values.only in ADMIN_SCOPES)) throw new UsageError(USAGE);
    const scope = values.only === undefined ? ADMIN_SCOPE : ADMIN_SCOPES[values.only as AdminPurpose];
    const admin = new CredentialAdmin(new CredentialsRepository(database.orm));
    printJson(await admin.createKeyWithScopes(name, [scope]));
    return 0;
  });
}
