// Backups to Azure Blob Storage with AKS workload identity: no key, no SAS token. The Pod has
// what Azure Workload Identity's webhook injects (AZURE_CLIENT_ID, AZURE_TENANT_ID, a federated
// token file, AZURE_AUTHORITY_HOST); a stand-in Microsoft Entra token endpoint exchanges the
// federated token for an access token, and Azurite (HTTPS, OAuth) takes it.
import { jest } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../../../api/db/database.js';
import { migrate } from '../../../api/db/migrate.js';
import { createCertificates, type Certificates } from '../../cluster/support/certificates.js';
import { startCli } from '../../helpers/cli-process.js';
import { freePort } from '../../helpers/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

jest.setTimeout(120_000);

const execute = promisify(execFile);

const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '0d3b9c2e-1111-4a6a-9c3a-5f0e7a1b2c3d';
const FEDERATED_TOKEN = 'federated-service-account-token-from-the-kubelet';

let database: TestDatabase;
let dir: string;
let certs: Certificates;
let azurite: ChildProcess;
let entra: Server;
let blobEndpoint: string;
let authorityHost: string;
const tokenRequests: URLSearchParams[] = [];

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An access token as Entra issues one for Azure Storage (Azurite checks claims, not the signature). */
function accessToken(): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    aud: 'https://storage.azure.com',
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: now,
    nbf: now - 60,
    exp: now + 3600,
    appid: CLIENT,
    oid: CLIENT,
    tid: TENANT,
  };
  return `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url(claims)}.c2lnbmF0dXJl`;
}

/** The two Microsoft Entra endpoints a client-assertion token request touches. */
function startEntra(port: number): Promise<Server> {
  const server = createServer({ cert: certs.serverCert, key: certs.serverKey }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://127.0.0.1:${port}`);
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && url.pathname === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      const issuerBase = `https://127.0.0.1:${port}/${TENANT}`;
      json({
        token_endpoint: `${issuerBase}/oauth2/v2.0/token`,
        authorization_endpoint: `${issuerBase}/oauth2/v2.0/authorize`,
        issuer: `${issuerBase}/v2.0`,
        end_session_endpoint: `${issuerBase}/oauth2/v2.0/logout`,
        jwks_uri: `${issuerBase}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'token'],
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        tokenRequests.push(new URLSearchParams(body));
        json({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken() });
      });
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

async function listening(port: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
}

/**
 * The storage account's owner, with its key: creates the container or lists its blobs. A child
 * process, so that it trusts the test CA (NODE_EXTRA_CA_CERTS is read at start-up only).
 */
async function asStorageAdmin(action: 'create' | 'list'): Promise<string> {
  const script = `
        import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
        const service = new BlobServiceClient(process.env.ENDPOINT, new StorageSharedKeyCredential('${ACCOUNT}', '${ACCOUNT_KEY}'));
    const container = service.getContainerClient('rosterhub');
    if (process.env.ACTION === 'create') await container.createIfNotExists();
    else for await (const blob of container.listBlobsFlat()) console.log(blob.name);
  `;
  const { stdout } = await execute(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: certs.caCert,
      ENDPOINT: blobEndpoint,
      ACTION: action,
    },
  });
  return stdout.trim();
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = await Database.open({ url: database.url, poolMax: 1 });
  await migrate(db, database.url);
  await db.close();
  dir = await mkdtemp(join(tmpdir(), 'rh-workload-identity-'));
  certs = await createCertificates(dir);
  certs = {
    ...certs,
    serverCert: await readFile(certs.serverCert, 'utf8'),
    serverKey: await readFile(certs.serverKey, 'utf8'),
  };
  const [blobPort, entraPort] = [await freePort(), await freePort()];
  entra = await startEntra(entraPort);
  authorityHost = `https://127.0.0.1:${entraPort}`;
  await writeFile(join(dir, 'server.crt'), certs.serverCert);
  await writeFile(join(dir, 'server.key'), certs.serverKey);
  azurite = spawn(
    join(process.cwd(), 'node_modules', '.bin', 'azurite-blob'),
    [
      '--silent',
      '--inMemoryPersistence',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(blobPort),
      '--skipApiVersionCheck',
      '--loose',
      '--oauth',
      'basic',
      '--cert',
      join(dir, 'server.crt'),
      '--key',
      join(dir, 'server.key'),
    ],
    { stdio: 'ignore', env: { ...process.env, NODE_EXTRA_CA_CERTS: certs.caCert } },
  );
  await listening(blobPort);
  blobEndpoint = `https://127.0.0.1:${blobPort}/${ACCOUNT}`;
  await writeFile(join(dir, 'federated-token'), FEDERATED_TOKEN);
  // The container exists before the backup runs (the platform team creates it).
  await asStorageAdmin('create');
});

afterAll(async () => {
  const exited = once(azurite, 'exit');
  azurite.kill('SIGKILL');
  await exited;
  entra.close();
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('backups with AKS workload identity', () => {
  it('When the Pod has workload identity and no key, then the backup gets a token for its federated token and writes the blob', async () => {
    const backup = startCli(['backup'], {
      DATABASE_URL: database.url,
      HOME: dir,
      BACKUP_DESTINATION: 'azureBlob',
      BACKUP_AZURE_STORAGE_ACCOUNT: ACCOUNT,
      BACKUP_AZURE_CONTAINER: 'rosterhub',
      BACKUP_AZURE_ENDPOINT: blobEndpoint,
      BACKUP_AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
      AZURE_CLIENT_ID: CLIENT,
      AZURE_TENANT_ID: TENANT,
      AZURE_FEDERATED_TOKEN_FILE: join(dir, 'federated-token'),
      AZURE_AUTHORITY_HOST: authorityHost,
      NODE_EXTRA_CA_CERTS: certs.caCert,
    });
    const result = await backup.done;
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 0,
      stderr: expect.any(String) as unknown,
    });
    const written = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { name: string };
    const names = (await asStorageAdmin('list')).split('\n');
    expect(names.some((name) => name.endsWith(written.name))).toBe(true);
    expect(tokenRequests.at(-1)?.get('client_assertion')).toBe(FEDERATED_TOKEN);
    expect(tokenRequests.at(-1)?.get('client_id')).toBe(CLIENT);
    expect(tokenRequests.at(-1)?.get('scope')).toBe('https://storage.azure.com/.default');
  });

  it('When there is neither a key, a SAS token nor workload identity, then the error names all three ways', async () => {
    const refused = await startCli(['backup'], {
      DATABASE_URL: database.url,
      HOME: dir,
      BACKUP_DESTINATION: 'azureBlob',
      BACKUP_AZURE_STORAGE_ACCOUNT: ACCOUNT,
      BACKUP_AZURE_CONTAINER: 'rosterhub',
    }).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or Azure Workload Identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE',
    );
  });
});
