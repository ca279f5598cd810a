import { parseArgs } from 'node:util';
import { CredentialsRepository } from '../api/data/credentials-repository.js';
import { CredentialAdmin } from '../api/services/credential-admin.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = 'usage: rosterhub clients create --name NAME --scopes SCOPES';

/**
 * `rosterhub clients create --name N --scopes S`: a new OAuth 2.0 client; prints its id and
 * secret once, as JSON (only a hash of the secret is stored). Scopes are full URIs or short
 * names (roster.readonly, roster-core.readonly, roster-demographics.readonly), comma- or
 * space-separated.
 */
export async function runClientsCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase('clients', async (database) => {
    const { values } = parseArgs({
      args: rest,
      options: { name: { type: 'string' }, scopes: { type: 'string' } },
    });
    if (!values.name || !values.scopes) throw new UsageError(USAGE);
    const admin = new CredentialAdmin(new CredentialsRepository(database.orm));
    printJson(await admin.createClient(values.name, values.scopes));
    return 0;
  });
}
