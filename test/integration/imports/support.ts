import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import yazl from 'yazl';
import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import { writeCsvPackage, type CsvMode } from '../../../api/generator/csv.js';
import type { GeneratedDistrict } from '../../../api/generator/district.js';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { runImport, type ImportOptions, type ImportResult } from '../../../api/imports/importer.js';
import type { ImportJobView } from '../../../api/imports/job-store.js';
import { PackageStore } from '../../../api/imports/package-store.js';
import type { ZipLimits } from '../../../api/imports/package-reader.js';
import { ADMIN_SCOPE } from '../../../api/routes/admin-auth.js';
import { hashSecret, newApiKey } from '../../../api/services/credentials.js';
import { loadWorkerConfig } from '../../../api/worker/config.js';
import { ImportWorker } from '../../../api/worker/import-worker.js';
import { startApi, type ApiUnderTest } from '../../helpers/api-under-test.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

/** A running API and (optionally) an in-process import worker on a database of their own. */
export interface ImportStack {
  under: ApiUnderTest;
  database: TestDatabase;
  adminKey: string;
  worker: ImportWorker | undefined;
  close(): Promise<void>;
}

/**
 * `connection` gives the settings both processes reach PostgreSQL with (default: straight at
 * the test database).
 */
export async function startImportStack(
  redisUrl: string,
  withWorker = true,
  apiEnv: Record<string, string> = {},
  connection: (database: TestDatabase) => Record<string, string> = (database) => ({
    DATABASE_URL: database.url,
  }),
): Promise<ImportStack> {
  const database = await createTestDatabase();
  const env = { ...connection(database), REDIS_URL: redisUrl };
  const under = await startApi({
    ...env,
    PUBLIC_BASE_URL: 'https://roster.example.org',
    IMPORT_METRICS_REFRESH_MS: '200',
    ...apiEnv,
  });
  const { keyId, secret, key } = newApiKey();
  await new CredentialsRepository(under.api.database.orm).createKey(keyId, 'admin', hashSecret(secret), [
    ADMIN_SCOPE,
  ]);
  let worker: ImportWorker | undefined;
  if (withWorker) {
    worker = new ImportWorker(
      loadWorkerConfig({ ...env, WORKER_RECONCILE_INTERVAL_MS: '1000', WORKER_LOCK_DURATION_MS: '5000' }),
      memoryLogger().logger,
    );
    await worker.start();
  }
  return {
    under,
    database,
    adminKey: key,
    worker,
    close: async () => {
      await worker?.close(1000);
      await under.api.shutdown();
      await database.drop();
    },
  };
}

/**
 * Runs an import of a zip or folder the way the worker does: stored in PostgreSQL first, read
 * back from there, and removed afterwards.
 */
export async function importStored(
  options: Omit<ImportOptions, 'open'> & { path: string; zipLimits?: ZipLimits },
): Promise<ImportResult> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  const packages = new PackageStore(pool, options.zipLimits);
  try {
    const stored = (await stat(options.path)).isDirectory()
      ? await packages.saveFolder(options.path)
      : await packages.saveZip(createReadStream(options.path));
    try {
      const { path: _path, zipLimits: _limits, ...rest } = options;
      return await runImport({ ...rest, open: () => packages.open(stored.id) });
    } finally {
      await packages.remove(stored.id);
    }
  } finally {
    await pool.end();
  }
}

/** A folder's files as a zip in memory. */
export async function zipFolder(dir: string): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const name of (await readdir(dir)).sort()) zip.addFile(join(dir, name), name);
  zip.end();
  const chunks: Buffer[] = [];
  zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(zip.outputStream, 'end');
  return Buffer.concat(chunks);
}

/** POST /rosterhub/v1/imports with a zip. */
export async function postPackage(
  stack: ImportStack,
  zip: Buffer,
  fields: Record<string, string> = {},
  credential: string | null = stack.adminKey,
): Promise<{ status: number; body: ImportJobView & Record<string, unknown> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'package.zip');
  const response = await fetch(`${stack.under.baseUrl}/rosterhub/v1/imports`, {
    method: 'POST',
    body: form,
    headers: credential === null ? {} : { authorization: `Bearer ${credential}` },
  });
  return {
    status: response.status,
    body: (await response.json()) as ImportJobView & Record<string, unknown>,
  };
}

/** GET an import's state until it has finished. */
export async function waitForJob(stack: ImportStack, id: string): Promise<ImportJobView> {
  for (;;) {
    const response = await fetch(`${stack.under.baseUrl}/rosterhub/v1/imports/${id}`, {
      headers: { authorization: `Bearer ${stack.adminKey}` },
    });
    if (!response.ok)
      throw new Error(`GET /imports/${id} answered ${response.status}: ${await response.text()}`);
    const job = (await response.json()) as ImportJobView;
    if (['completed', 'rejected', 'failed'].includes(job.state)) return job;
    await sleep(100);
  }
}

/** An import stack on a Redis of its own, with a key that reads rosters and a folder for packages. */
export interface ReadableImportStack {
  stack: ImportStack;
  /** A `roster.readonly` API key. */
  reader: string;
  /** A folder of its own, removed by close(). */
  work: string;
  /** GET under the rostering base with the reader key. */
  get: (path: string) => Promise<{ status: number; body: unknown }>;
  /** Zips a package folder, posts it and waits for its job to finish. */
  importFolder: (dir: string) => Promise<ImportJobView>;
  /** Writes a generated district as a package (in `work`), imports it and waits for its job. */
  importDistrict: (district: GeneratedDistrict, name: string, mode?: CsvMode) => Promise<ImportJobView>;
  close(): Promise<void>;
}

export async function startReadableImportStack(): Promise<ReadableImportStack> {
  const redis = await OwnRedisServer.start();
  const stack = await startImportStack(redis.url);
  const admin = new CredentialAdmin(new CredentialsRepository(stack.under.api.database.orm));
  const { key: reader } = await admin.createKey('reader', 'roster.readonly');
  const work = await mkdtemp(join(tmpdir(), 'rh-import-stack-'));
  const importFolder = async (dir: string) => {
    const posted = await postPackage(stack, await zipFolder(dir));
    if (posted.status !== 202)
      throw new Error(`the upload answered ${posted.status}: ${JSON.stringify(posted.body)}`);
    return waitForJob(stack, posted.body.id);
  };
  return {
    stack,
    reader,
    work,
    get: (path) => rosterGet(stack, reader, path),
    importFolder,
    importDistrict: async (district, name, mode = 'bulk') => {
      await writeCsvPackage(district, join(work, name), mode);
      return importFolder(join(work, name));
    },
    close: async () => {
      await stack.close();
      await redis.destroy();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** GET under the rostering base with a key that has every read scope. */
export async function rosterGet(
  stack: ImportStack,
  key: string,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${stack.under.baseUrl}/ims/oneroster/rostering/v1p2${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: response.status, body: await response.json() };
}
