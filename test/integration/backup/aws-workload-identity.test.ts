// Backups to S3 with EKS workload identity: no access key in the Pod. IRSA's webhook gives the
// Pod AWS_ROLE_ARN and a projected token file, which the SDK exchanges at STS
// (AssumeRoleWithWebIdentity); EKS Pod Identity gives it a credentials URL on the node's agent
// and an authorization token file. A stand-in STS and a stand-in Pod Identity agent issue
// temporary keys, and s3rver accepts only those keys, so a backup that lands was signed with them.
import { jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../../api/db/database.js';
import { migrate } from '../../../api/db/migrate.js';
import { startCli, type CliRun } from '../../helpers/cli-process.js';
import { freePort } from '../../helpers/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

jest.setTimeout(120_000);

const ROLE_ARN = 'arn:aws:iam::123456789012:role/rosterhub-backup-district-a';
const WEB_IDENTITY_TOKEN = 'projected-service-account-token-for-sts.amazonaws.com';
const POD_IDENTITY_TOKEN = 'eks-pod-identity-token-from-the-kubelet';

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}
interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

const require = createRequire(import.meta.url);
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;
const s3rverAccount = (require('s3rver/lib/models/account.js') as { DUMMY_ACCOUNT: S3rverAccount })
  .DUMMY_ACCOUNT;

let database: TestDatabase;
let dir: string;
let s3: S3rverInstance;
let s3Endpoint: string;
let sts: Server;
let stsEndpoint: string;
let agent: Server;
let agentUrl: string;
const stsRequests: URLSearchParams[] = [];
const agentAuthorizations: (string | undefined)[] = [];
const issuedKeys: string[] = [];

/** Temporary keys that s3rver accepts from now on (the stand-in's IAM). */
function issueKeys(): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  const keys = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(20).toString('base64'),
    sessionToken: randomBytes(32).toString('base64'),
  };
  s3rverAccount.createKeyPair(keys.accessKeyId, keys.secretAccessKey);
  issuedKeys.push(keys.accessKeyId);
  return keys;
}

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

/** STS's query API, AssumeRoleWithWebIdentity only (it needs no signature). */
function startSts(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    void bodyOf(req).then((raw) => {
      const form = new URLSearchParams(raw);
      stsRequests.push(form);
      if (
        form.get('Action') !== 'AssumeRoleWithWebIdentity' ||
        form.get('WebIdentityToken') !== WEB_IDENTITY_TOKEN
      ) {
        res
          .writeHead(403, { 'content-type': 'text/xml' })
          .end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error></ErrorResponse>',
          );
        return;
      }
      const keys = issueKeys();
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:district-a:rosterhub</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/rosterhub-backup-district-a/${form.get('RoleSessionName') ?? ''}</Arn>
      <AssumedRoleId>AROA123456789EXAMPLE:${form.get('RoleSessionName') ?? ''}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${keys.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${keys.secretAccessKey}</SecretAccessKey>
      <SessionToken>${keys.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`);
    });
  });
  return listen(server, port);
}

/** The EKS Pod Identity agent's credentials endpoint (169.254.170.23 on a node). */
function startPodIdentityAgent(port: number): Promise<Server> {
  const server = createServer((req, res) => {
    agentAuthorizations.push(req.headers.authorization);
    if (req.headers.authorization !== POD_IDENTITY_TOKEN) {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"code":"InvalidToken"}');
      return;
    }
    const keys = issueKeys();
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        AccessKeyId: keys.accessKeyId,
        SecretAccessKey: keys.secretAccessKey,
        Token: keys.sessionToken,
        AccountId: '123456789012',
        Expiration: new Date(Date.now() + 3600_000).toISOString(),
      }),
    );
  });
  return listen(server, port);
}

beforeAll(async () => {
  database = await createTestDatabase();
  const db = await Database.open({ url: database.url, poolMax: 1 });
  await migrate(db, database.url);
  await db.close();
  dir = await mkdtemp(join(tmpdir(), 'rh-aws-identity-'));
  await writeFile(join(dir, 'web-identity-token'), WEB_IDENTITY_TOKEN);
  await writeFile(join(dir, 'pod-identity-token'), POD_IDENTITY_TOKEN);
  const [s3Port, stsPort, agentPort] = [await freePort(), await freePort(), await freePort()];
  s3 = new S3rver({
    port: s3Port,
    address: '127.0.0.1',
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [{ name: 'backups' }],
  });
  await s3.run();
  s3Endpoint = `http://127.0.0.1:${s3Port}`;
  sts = await startSts(stsPort);
  stsEndpoint = `http://127.0.0.1:${stsPort}`;
  agent = await startPodIdentityAgent(agentPort);
  agentUrl = `http://127.0.0.1:${agentPort}/v1/credentials`;
});

afterAll(async () => {
  await s3.close();
  sts.close();
  agent.close();
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

/** The backup CronJob's environment for a bucket, without any access key. */
function s3Backup(identity: Record<string, string>) {
  return startCli(['backup'], {
    DATABASE_URL: database.url,
    HOME: dir,
    BACKUP_DESTINATION: 's3',
    BACKUP_S3_BUCKET: 'backups',
    BACKUP_PREFIX: 'districts/a/',
    BACKUP_S3_ENDPOINT: s3Endpoint,
    BACKUP_S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: 'eu-west-1',
    // No node role to fall back on: a key must come from the identity under test.
    AWS_EC2_METADATA_DISABLED: 'true',
    ...identity,
  }).done;
}

function writtenName(result: CliRun): string {
  expect({ code: result.code, stderr: result.stderr }).toEqual({
    code: 0,
    stderr: expect.any(String) as unknown,
  });
  return (JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { name: string }).name;
}

/** The backups in the bucket, listed with the bucket owner's own key. */
async function storedBackups(): Promise<string[]> {
  const { S3Client, ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    region: 'eu-west-1',
    endpoint: s3Endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const listed = await client.send(new ListObjectsV2Command({ Bucket: 'backups', Prefix: 'districts/a/' }));
  client.destroy();
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
}

describe('backups to S3 with EKS workload identity', () => {
  it('When the Pod has IRSA (a role and a projected token) and no key, then the backup assumes the role at STS and writes the object with those keys', async () => {
    const keysBefore = issuedKeys.length;
    const name = writtenName(
      await s3Backup({
        AWS_ROLE_ARN: ROLE_ARN,
        AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'web-identity-token'),
        AWS_STS_REGIONAL_ENDPOINTS: 'regional',
        AWS_ENDPOINT_URL_STS: stsEndpoint,
      }),
    );
    expect(await storedBackups()).toContain(`districts/a/${name}`);
    expect(issuedKeys.length).toBe(keysBefore + 1);
    const exchange = stsRequests.at(-1);
    expect(exchange?.get('Action')).toBe('AssumeRoleWithWebIdentity');
    expect(exchange?.get('RoleArn')).toBe(ROLE_ARN);
    expect(exchange?.get('WebIdentityToken')).toBe(WEB_IDENTITY_TOKEN);
  });

  it('When the Pod has EKS Pod Identity (the agent URL and its token file) and no key, then the backup gets keys from the agent and writes the object', async () => {
    const keysBefore = issuedKeys.length;
    const name = writtenName(
      await s3Backup({
        AWS_CONTAINER_CREDENTIALS_FULL_URI: agentUrl,
        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: join(dir, 'pod-identity-token'),
      }),
    );
    expect(await storedBackups()).toContain(`districts/a/${name}`);
    expect(issuedKeys.length).toBe(keysBefore + 1);
    expect(agentAuthorizations.at(-1)).toBe(POD_IDENTITY_TOKEN);
  });

  it('When STS refuses the projected token, then the backup fails, says so, and writes nothing', async () => {
    await writeFile(join(dir, 'stale-token'), 'a-token-for-another-audience');
    const before = await storedBackups();
    const result = await s3Backup({
      AWS_ROLE_ARN: ROLE_ARN,
      AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'stale-token'),
      AWS_ENDPOINT_URL_STS: stsEndpoint,
    });
    expect(result.code).not.toBe(0);
    // The CLI logs JSON lines on stdout.
    expect(result.stdout).toContain(
      'backup to s3://backups/districts/a/ failed: InvalidIdentityTokenException: bad token',
    );
    expect(await storedBackups()).toEqual(before);
  });
});
