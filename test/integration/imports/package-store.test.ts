import { jest } from '@jest/globals';
import { once } from 'node:events';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import yazl from 'yazl';
import { Database } from '../../../api/db/database.js';
import { migrate } from '../../../api/db/migrate.js';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { importQueue, submitImport } from '../../../api/imports/import-queue.js';
import { runImport } from '../../../api/imports/importer.js';
import { PackageMissingError, type PackageReader } from '../../../api/imports/package-reader.js';
import {
  PACKAGE_CHUNK_BYTES,
  PackageStore,
  PackageTooLargeError,
} from '../../../api/imports/package-store.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { postPackage, startImportStack, zipFolder } from './support.js';

jest.setTimeout(120_000);

let database: TestDatabase;
let pool: pg.Pool;
let store: PackageStore;
let work: string;

// sizes around the chunk boundary: entries and their headers straddle chunks
const FILES: [string, number][] = [
  ['empty.csv', 0],
  ['one.csv', 1],
  ['chunk-and-a-bit.csv', PACKAGE_CHUNK_BYTES + 7],
  ['two-and-a-half.csv', Math.floor(2.5 * PACKAGE_CHUNK_BYTES)],
];

beforeAll(async () => {
  database = await createTestDatabase();
  const db = await Database.open({ url: database.url, poolMax: 1 });
  await migrate(db, database.url);
  await db.close();
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
  store = new PackageStore(pool);
  work = await mkdtemp(join(tmpdir(), 'rh-package-store-'));
});

afterEach(async () => {
  await pool.query('delete from import_jobs');
  await pool.query('delete from import_packages');
});

afterAll(async () => {
  await pool.end();
  await database.drop();
  await rm(work, { recursive: true, force: true });
});

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function readAll(reader: PackageReader, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await reader.open(name)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const count = async (table: string): Promise<number> =>
  Number((await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]?.n);

/** Random (incompressible) files, stored in the zip without compression so it spans chunks. */
async function randomZip(): Promise<{ zip: Buffer; contents: Map<string, Buffer> }> {
  const contents = new Map(FILES.map(([name, size]) => [name, randomBytes(size)]));
  const zip = new yazl.ZipFile();
  for (const [name, data] of contents) zip.addBuffer(data, name, { compress: false });
  zip.end();
  const chunks: Buffer[] = [];
  zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(zip.outputStream, 'end');
  return { zip: Buffer.concat(chunks), contents };
}

describe('package store', () => {
  it('When a zip larger than several chunks is stored from a stream, then every entry reads back byte for byte and the hash is the zip’s', async () => {
    const { zip, contents } = await randomZip();
    const stored = await store.saveZip(Readable.from([zip.subarray(0, 1000), zip.subarray(1000)]));
    expect(stored).toMatchObject({ kind: 'zip', bytes: zip.length, sha256: sha(zip) });
    expect(await count('import_package_chunks')).toBe(Math.ceil(zip.length / PACKAGE_CHUNK_BYTES));
    const reader = await store.open(stored.id);
    try {
      expect([...reader.files].sort()).toEqual([...contents.keys()].sort());
      for (const [name, data] of contents) {
        expect(reader.size(name)).toBe(data.length);
        expect(sha(await readAll(reader, name))).toBe(sha(data));
      }
    } finally {
      reader.close();
    }
    await store.remove(stored.id);
    expect(await count('import_package_chunks')).toBe(0);
  });

  it('When a folder is stored, then its files read back, a subfolder is listed as nested, and the hash changes with one byte', async () => {
    const dir = join(work, 'folder');
    await mkdir(join(dir, 'sub'), { recursive: true });
    const contents = new Map(FILES.map(([name, size]) => [name, randomBytes(size)]));
    for (const [name, data] of contents) await writeFile(join(dir, name), data);
    const first = await store.saveFolder(dir);
    const again = await store.saveFolder(dir);
    expect(again.sha256).toBe(first.sha256);
    const reader = await store.open(first.id);
    expect([...reader.files].sort()).toEqual([...contents.keys()].sort());
    expect(reader.nested).toEqual(['sub/']);
    for (const [name, data] of contents) expect(sha(await readAll(reader, name))).toBe(sha(data));
    const changed = Buffer.from(contents.get('one.csv')!);
    changed[0] = changed[0]! ^ 1;
    await writeFile(join(dir, 'one.csv'), changed);
    expect((await store.saveFolder(dir)).sha256).not.toBe(first.sha256);
  });

  it('When a zip is larger than the limit, then storing stops with PackageTooLargeError and leaves nothing behind', async () => {
    const { zip } = await randomZip();
    await expect(store.saveZip(Readable.from([zip]), 2 * PACKAGE_CHUNK_BYTES)).rejects.toBeInstanceOf(
      PackageTooLargeError,
    );
    expect(await count('import_packages')).toBe(0);
    expect(await count('import_package_chunks')).toBe(0);
  });

  it('When a package is removed while it is read, then reading fails as a missing package (retry-worthy storage), not as a bad package', async () => {
    const dir = join(work, 'district');
    await writeCsvPackage(generateDistrict(SIZES.small, 1), dir);
    const stored = await store.saveFolder(dir);
    const reader = await store.open(stored.id);
    await store.remove(stored.id);
    await expect(readAll(reader, 'users.csv')).rejects.toBeInstanceOf(PackageMissingError);
    await expect(
      runImport({
        databaseUrl: database.url,
        open: () => store.open(stored.id),
        dryRun: true,
        strict: false,
      }),
    ).rejects.toBeInstanceOf(PackageMissingError);
  });

  it('When packages are orphaned, then only old ones no unfinished job needs are removed', async () => {
    const save = async (): Promise<string> => (await store.saveZip(Readable.from([randomBytes(10)]))).id;
    const [oldOrphan, youngOrphan, queued, finished] = [
      await save(),
      await save(),
      await save(),
      await save(),
    ];
    const incomplete = (
      await pool.query<{ id: string }>(`insert into import_packages (kind) values ('zip') returning id`)
    ).rows[0]!.id;
    await pool.query(`update import_packages set created_at = now() - interval '2 hours' where id <> $1`, [
      youngOrphan,
    ]);
    for (const [id, state] of [
      [queued, 'queued'],
      [finished, 'completed'],
    ])
      await pool.query(
        `insert into import_jobs (id, state, package_id, package_sha256, package_bytes) values ($1, $2, $3, '', 0)`,
        [`job-${id}`, state, id],
      );
    expect(await store.removeOrphans()).toBe(2);
    const left = (await pool.query<{ id: string }>('select id from import_packages')).rows.map((r) => r.id);
    expect(left.sort()).toEqual([youngOrphan, queued, incomplete].sort());
    expect(left).not.toContain(oldOrphan);
  });
});

describe('submitting stored packages', () => {
  let redis: OwnRedisServer;

  beforeAll(async () => {
    redis = await OwnRedisServer.start();
  });

  afterAll(async () => {
    await redis.stop();
  });

  it('When the same package is submitted again while its job waits, then the job keeps one package and the copy is removed', async () => {
    const queue = importQueue({ url: redis.url });
    try {
      const dir = join(work, 'district');
      const first = await store.saveFolder(dir);
      const again = await store.saveFolder(dir);
      const submitted = await submitImport(pool, queue, first, { dryRun: false, strict: false });
      expect(submitted.queued).toBe(true);
      const repeated = await submitImport(pool, queue, again, { dryRun: false, strict: false });
      expect(repeated).toMatchObject({ queued: false, job: { id: submitted.job.id } });
      const packages = (await pool.query<{ id: string }>('select id from import_packages')).rows;
      expect(packages).toEqual([{ id: first.id }]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('When an upload is larger than IMPORT_MAX_UPLOAD_BYTES, then the API answers 413 and stores nothing', async () => {
    const stack = await startImportStack(redis.url, false, { IMPORT_MAX_UPLOAD_BYTES: String(16 * 1024) });
    try {
      const zip = await zipFolder(join(work, 'district'));
      expect(zip.length).toBeGreaterThan(16 * 1024);
      const { status, body } = await postPackage(stack, zip);
      expect(status).toBe(413);
      expect(JSON.stringify(body)).toContain(String(16 * 1024));
      const stored = await stack.under.api.database.pool.query<{ n: string }>(
        'select count(*) as n from import_packages',
      );
      expect(Number(stored.rows[0]?.n)).toBe(0);
    } finally {
      await stack.close();
    }
  });

  it('When a large upload exceeds IMPORT_MAX_UPLOAD_BYTES, then the 413 comes while the client is still sending, and a declared length that cannot fit is refused before the body', async () => {
    const limit = 1024 * 1024;
    const stack = await startImportStack(redis.url, false, { IMPORT_MAX_UPLOAD_BYTES: String(limit) });
    try {
      const boundary = 'rosterhub-test-boundary';
      const head = Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="package"; filename="big.zip"\r\n` +
          'content-type: application/zip\r\n\r\n',
      );
      const post = (headers: Record<string, string | number>) =>
        httpRequest(`${stack.under.baseUrl}/rosterhub/v1/imports`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${stack.adminKey}`,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            ...headers,
          },
        });
      const answerOf = async (req: ClientRequest) => {
        const [res] = (await once(req, 'response')) as [IncomingMessage];
        let text = '';
        for await (const chunk of res) text += String(chunk);
        return { status: res.statusCode, body: JSON.parse(text) as Record<string, unknown> };
      };

      // Streamed without a length: the client stops sending when the answer arrives.
      const total = 256 * 1024 * 1024;
      const streaming = post({ 'transfer-encoding': 'chunked' });
      streaming.on('error', () => undefined); // the server closes the connection after its answer
      const answered = answerOf(streaming);
      let answer: Awaited<typeof answered> | undefined;
      void answered.then((value) => (answer = value));
      let sent = 0;
      streaming.write(head);
      const chunk = randomBytes(64 * 1024);
      while (answer === undefined && sent < total) {
        sent += chunk.length;
        if (!streaming.write(chunk)) await Promise.race([once(streaming, 'drain'), answered]);
      }
      const streamed = await answered;
      streaming.destroy();
      expect(streamed.status).toBe(413);
      expect(JSON.stringify(streamed.body)).toContain(String(limit));
      expect(sent).toBeLessThan(total);

      // A declared length far beyond the limit: no body byte is sent.
      const declared = post({ 'content-length': 1024 * 1024 * 1024 });
      declared.on('error', () => undefined);
      declared.flushHeaders();
      const refused = await answerOf(declared);
      declared.destroy();
      expect(refused.status).toBe(413);
      expect(JSON.stringify(refused.body)).toContain(String(limit));

      const stored = await stack.under.api.database.pool.query<{ n: string }>(
        'select count(*) as n from import_packages',
      );
      expect(Number(stored.rows[0]?.n)).toBe(0);
    } finally {
      await stack.close();
    }
  });
});
