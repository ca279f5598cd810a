import { parseArgs } from 'node:util';
import { CredentialsRepository } from '../api/data/credentials-repository.js';
import { CredentialAdmin } from '../api/services/credential-admin.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = `usage: rosterhub keys create --name NAME --scopes SCOPES
       rosterhub keys list
       rosterhub keys revoke KEY_ID`;

/**
 * `rosterhub keys create|list|revoke`: long-lived `rh_live_` API keys. `create` prints the key
 * once, as JSON; `list` never shows secrets; `revoke` takes the key id.
 */
export async function runKeysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase('keys', async (database) => {
    const admin = new CredentialAdmin(new CredentialsRepository(database.orm));
    if (action === 'create') {
      const { values } = parseArgs({
        args: rest,
        options: { name: { type: 'string' }, scopes: { type: 'string' } },
      });
      if (!values.name || !values.scopes) throw new UsageError(USAGE);
      printJson(await admin.createKey(values.name, values.scopes));
      return 0;
    }
    if (action === 'list') {
      printJson(await admin.listKeys());
      return 0;
    }
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    const keyId = positionals[0];
    if (!keyId) throw new UsageError(USAGE);
    if (!(await admin.revokeKey(keyId))) {
      process.stderr.write(`rosterhub keys: no active key ${keyId}\n`);
      return 1;
    }
    printJson({ keyId, revoked: true });
    return 0;
  });
}
