import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDistrict } from '../api/data/bulk-loader.js';
import { CredentialsRepository } from '../api/data/credentials-repository.js';
import type { Database } from '../api/db/database.js';
import { SIZES, generateDistrict } from '../api/generator/district.js';
import { ADMIN_SCOPE } from '../api/routes/admin-auth.js';
import { CredentialAdmin } from '../api/services/credential-admin.js';

/** What the demo's consumer may read: the roster and its demographics. */
export const DEMO_SCOPES = 'roster.readonly roster-demographics.readonly';
const DEMO_FILE = 'demo-credentials.json';

/** The demo's credentials, kept (mode 0600) in the checkout's `.local/` to be printed again. */
export interface DemoCredentials {
  clientId: string;
  clientSecret: string;
  adminKey: string;
}

export type DemoSetup =
  /** The database was empty: a generated district and the demo's credentials are in it now. */
  | { outcome: 'created'; credentials: DemoCredentials; rows: Record<string, number> }
  /** The database already held data; the demo's credentials from an earlier run still work. */
  | { outcome: 'kept'; credentials: DemoCredentials }
  /** The database already held data that is not the demo's (or the demo's client is gone). */
  | { outcome: 'untouched' };

/** Whether the database holds any roster data or credentials (then the demo leaves it alone). */
async function holdsData(database: Database): Promise<boolean> {
  const result = await database.pool.query<{ used: boolean }>(
    `select exists(select 1 from orgs) or exists(select 1 from users)
         or exists(select 1 from api_clients) or exists(select 1 from api_keys) as used`,
  );
  return result.rows[0]?.used ?? true;
}

function readCredentials(localDir: string | undefined): DemoCredentials | undefined {
  if (localDir === undefined) return undefined;
  const file = join(localDir, DEMO_FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
  } catch {
    return undefined;
  }
}

function saveCredentials(localDir: string | undefined, credentials: DemoCredentials): void {
  if (localDir === undefined) return;
  mkdirSync(localDir, { recursive: true });
  const file = join(localDir, DEMO_FILE);
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * Makes an empty database a working demo: a small generated district (seed 1), an OAuth client
 * for a consumer and an admin key for imports, whose secrets are kept in `localDir` so that
 * the next `make run` prints the same commands. A database that holds anything is never
 * changed.
 */
export async function setUpDemo(
  database: Database,
  databaseUrl: string,
  localDir: string | undefined,
  progress: (message: string) => void,
): Promise<DemoSetup> {
  const credentialsRepository = new CredentialsRepository(database.orm);
  if (await holdsData(database)) {
    const kept = readCredentials(localDir);
    if (!kept) return { outcome: 'untouched' };
    const client = await credentialsRepository.findClient(kept.clientId);
    return client && !client.revokedAt ? { outcome: 'kept', credentials: kept } : { outcome: 'untouched' };
  }
  const rows = await loadDistrict(databaseUrl, generateDistrict(SIZES.small, 1), progress);
  const admin = new CredentialAdmin(credentialsRepository);
  const client = await admin.createClient('demo', DEMO_SCOPES);
  const key = await admin.createKeyWithScopes('demo-admin', [ADMIN_SCOPE]);
  const credentials = { clientId: client.clientId, clientSecret: client.clientSecret, adminKey: key.key };
  saveCredentials(localDir, credentials);
  return { outcome: 'created', credentials, rows };
}
