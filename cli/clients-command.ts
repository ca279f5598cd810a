import { parseArgs } from 'node:util';
import { CredentialsRepository } from '../api/data/credentials-repository.js';
import { CredentialAdmin } from '../api/services/credential-admin.js';
import { UsageError } from './command-errors.js';
import { printJson, withDatabase } from './database-command.js';

const USAGE = `usage: rosterhub clients create --name NAME --scopes SCOPES
       rosterhub clients list
       rosterhub clients revoke CLIENT_ID
       rosterhub clients rotate CLIENT_ID
       rosterhub clients update-scopes CLIENT_ID --scopes SCOPES`;

const ACTIONS = ['create', 'list', 'revoke', 'rotate', 'update-scopes'] as const;
type Action = (typeof ACTIONS)[number];

/**
 * `rosterhub clients`: OAuth 2.0 clients. `create` and `rotate` print the secret once, as JSON
 * (only a hash is stored); `list` never shows secrets; `revoke` ends the client and its tokens
 * (within AUTH_CACHE_MS); `rotate` replaces the secret and voids the tokens issued with the old
 * one; `update-scopes` replaces the scopes (tokens keep only those still granted). Scopes are
 * full URIs or short names (roster.readonly, roster-core.readonly,
 * roster-demographics.readonly), comma- or space-separated.
 */
export async function runClientsCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (!ACTIONS.includes(action as Action)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  return withDatabase('clients', async (database) => {
    const admin = new CredentialAdmin(new CredentialsRepository(database.orm));
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { name: { type: 'string' }, scopes: { type: 'string' } },
    });
    const notFound = (clientId: string) => {
      process.stderr.write(`rosterhub clients: no active client ${clientId}\n`);
      return 1;
    };
    switch (action as Action) {
      case 'create':
        if (!values.name || !values.scopes) throw new UsageError(USAGE);
        printJson(await admin.createClient(values.name, values.scopes));
        return 0;
      case 'list':
        printJson(await admin.listClients());
        return 0;
      case 'revoke': {
        const clientId = requiredId(positionals);
        if (!(await admin.revokeClient(clientId))) return notFound(clientId);
        printJson({ clientId, revoked: true });
        return 0;
      }
      case 'rotate': {
        const clientId = requiredId(positionals);
        const rotated = await admin.rotateClient(clientId);
        if (!rotated) return notFound(clientId);
        printJson(rotated);
        return 0;
      }
      case 'update-scopes': {
        const clientId = requiredId(positionals);
        if (!values.scopes) throw new UsageError(USAGE);
        const scopes = await admin.updateClientScopes(clientId, values.scopes);
        if (!scopes) return notFound(clientId);
        printJson({ clientId, scopes });
        return 0;
      }
    }
  });
}

function requiredId(positionals: string[]): string {
  const [clientId] = positionals;
  if (!clientId) throw new UsageError(USAGE);
  return clientId;
}
