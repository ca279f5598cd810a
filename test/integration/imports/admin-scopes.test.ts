import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import { ADMIN_SCOPES } from '../../../api/routes/admin-auth.js';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { postPackage, startImportStack, type ImportStack } from './support.js';

let redis: OwnRedisServer;
let stack: ImportStack;
let keys: { importOnly: string; exportOnly: string };

beforeAll(async () => {
  redis = await OwnRedisServer.start();
  stack = await startImportStack(redis.url, false);
  const admin = new CredentialAdmin(new CredentialsRepository(stack.under.api.database.orm));
  keys = {
    importOnly: (await admin.createKeyWithScopes('SIS push', [ADMIN_SCOPES.import])).key,
    exportOnly: (await admin.createKeyWithScopes('warehouse', [ADMIN_SCOPES.export])).key,
  };
});

afterAll(async () => {
  await stack.close();
  await redis.destroy();
});

const exportWith = async (key: string) => {
  const response = await fetch(`${stack.under.baseUrl}/rosterhub/v1/exports`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  return response.status;
};

describe('Admin scopes for importing and for exporting', () => {
  it('When a key may only import, then it can send a package but not download the roster; an export-only key the other way round', async () => {
    const zip = Buffer.from('not a zip, but accepted for storage and rejected by the worker');
    expect((await postPackage(stack, zip, {}, keys.importOnly)).status).toBe(202);
    expect(await exportWith(keys.importOnly)).toBe(403);

    expect(await exportWith(keys.exportOnly)).toBe(200);
    const refused = await postPackage(stack, zip, {}, keys.exportOnly);
    expect(refused.status).toBe(403);
    expect(JSON.stringify(refused.body)).toContain(ADMIN_SCOPES.import);

    // the full admin scope still opens both
    expect(await exportWith(stack.adminKey)).toBe(200);
  });
});
