import { jest } from '@jest/globals';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { IMPORT_LOCK_SQL } from '../../../api/imports/importer.js';
import { startCli, type CliRun } from '../../helpers/cli-process.js';
import { freePort } from '../../helpers/free-port.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { zipFolder } from './support.js';

/**
 * The API, the worker and `rosterhub import` as separate processes, each with a disk of its own
 * (as Pods are): nothing may travel between them through a file system. Redis is this file's
 * own, so that no other file's worker takes these jobs.
 */
jest.setTimeout(300_000);

let database: TestDatabase;
let redis: OwnRedisServer;
let pool: pg.Pool;
let work: string;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await OwnRedisServer.start();
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
  work = await mkdtemp(join(tmpdir(), 'rh-separate-'));
  await writeCsvPackage(generateDistrict(SIZES.small, 1), join(work, 'district'));
});

afterAll(async () => {
  await pool.end();
  await redis.stop();
  await database.drop();
  await rm(work, { recursive: true, force: true });
});

/** A process of its own with an empty TMPDIR and HOME, like a Pod's emptyDir. */
async function ownDisk(name: string): Promise<Record<string, string>> {
  const disk = await mkdtemp(join(work, `${name}-`));
  return {
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    TMPDIR: disk,
    HOME: disk,
    LOG_LEVEL: 'warn',
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

async function job(id: string): Promise<{ state: string; attempts: number; error: string | null }> {
  const { rows } = await pool.query<{ state: string; attempts: number; error: string | null }>(
    'select state, attempts, error from import_jobs where id = $1',
    [id],
  );
  return rows[0] ?? { state: 'missing', attempts: 0, error: null };
}

async function waitForState(id: string, states: string[]): Promise<string> {
  for (;;) {
    const { state } = await job(id);
    if (states.includes(state)) return state;
    await sleep(200);
  }
}

const count = async (table: string): Promise<number> =>
  Number((await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]?.n);

function startWorker(env: Record<string, string>): ReturnType<typeof startCli> {
  return startCli(['worker'], {
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_RECONCILE_INTERVAL_MS: '1000',
    ...env,
  });
}

async function stop(process: ReturnType<typeof startCli>): Promise<CliRun> {
  process.child.kill('SIGTERM');
  return process.done;
}

/** `rosterhub import FOLDER --no-wait` and the id of the job it queued. */
async function queueFolder(folder: string, extra: string[] = []): Promise<string> {
  const run = await startCli(['import', folder, '--no-wait', ...extra], await ownDisk('cli')).done;
  expect(run.stderr).toContain('queued');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { id: string }).id;
}

describe('imports across processes that share no disk', () => {
  it('When a zip is uploaded to an API process that then goes away with its disk, then a worker elsewhere imports it and the stored package is removed', async () => {
    const apiDisk = await ownDisk('api');
    const port = await freePort();
    const healthPort = await freePort();
    const api = startCli(['api'], {
      ...apiDisk,
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
      HOST: '127.0.0.1',
      SHUTDOWN_DRAIN_MS: '0',
    });
    const base = `http://127.0.0.1:${port}`;
    while ((await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined))?.status !== 200)
      await sleep(200);
    const created = await startCli(['admin-key', 'create', '--name', 'uploader'], await ownDisk('key')).done;
    expect(created.code).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };

    const form = new FormData();
    const zip = await zipFolder(join(work, 'district'));
    form.append('package', new Blob([new Uint8Array(zip)], { type: 'application/zip' }), 'district.zip');
    const response = await fetch(`${base}/rosterhub/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(await filesUnder(apiDisk.TMPDIR!)).toEqual([]);
    expect((await stop(api)).code).toBe(0);
    await rm(apiDisk.TMPDIR!, { recursive: true, force: true });

    const worker = startWorker(await ownDisk('worker'));
    try {
      expect(await waitForState(id, ['completed', 'rejected', 'failed'])).toBe('completed');
    } finally {
      await stop(worker);
    }
    expect(await count('users')).toBeGreaterThan(0);
    expect(await count('import_packages')).toBe(0);
    expect(await count('import_package_chunks')).toBe(0);
  });

  it('When `rosterhub import FOLDER` runs in one place and the folder is deleted, then a worker elsewhere still imports it', async () => {
    const folder = join(work, 'copy-of-district');
    await cp(join(work, 'district'), folder, { recursive: true });
    const id = await queueFolder(folder, ['--dry-run']);
    await rm(folder, { recursive: true, force: true });
    const worker = startWorker(await ownDisk('worker'));
    try {
      expect(await waitForState(id, ['completed', 'rejected', 'failed'])).toBe('completed');
      expect((await job(id)).error).toBeNull();
    } finally {
      await stop(worker);
    }
    expect(await count('import_packages')).toBe(0);
  });
});

describe('worker shutdown during an import', () => {
  let lock: pg.PoolClient;

  /** Holds the import lock, so that a job stays running (waiting for it) as long as the test wants. */
  async function holdImportLock(): Promise<void> {
    lock = await pool.connect();
    await lock.query('begin');
    await lock.query(IMPORT_LOCK_SQL);
  }

  async function releaseImportLock(): Promise<void> {
    await lock.query('rollback');
    lock.release();
  }

  it('When SIGTERM arrives while an import runs, then the worker waits past 25 s (up to WORKER_SHUTDOWN_TIMEOUT_MS) for it to finish, then exits 0', async () => {
    await holdImportLock();
    const worker = startWorker({ ...(await ownDisk('worker')), WORKER_SHUTDOWN_TIMEOUT_MS: '120000' });
    const id = await queueFolder(join(work, 'district'), ['--strict', '--dry-run']);
    expect(await waitForState(id, ['active'])).toBe('active');
    worker.child.kill('SIGTERM');
    const exited = await Promise.race([worker.done.then(() => true), sleep(30_000).then(() => false)]);
    expect(exited).toBe(false);
    await releaseImportLock();
    expect((await worker.done).code).toBe(0);
    expect(await job(id)).toMatchObject({ state: 'completed', attempts: 1 });
  });

  it('When SIGTERM arrives and the import outlasts WORKER_SHUTDOWN_TIMEOUT_MS, then the worker gives it up and another worker finishes it', async () => {
    await holdImportLock();
    const first = startWorker({ ...(await ownDisk('worker')), WORKER_SHUTDOWN_TIMEOUT_MS: '1000' });
    const id = await queueFolder(join(work, 'district'));
    expect(await waitForState(id, ['active'])).toBe('active');
    expect((await stop(first)).code).toBe(0);
    expect((await job(id)).state).toBe('active');
    await releaseImportLock();
    const second = startWorker(await ownDisk('worker'));
    try {
      expect(await waitForState(id, ['completed', 'rejected', 'failed'])).toBe('completed');
    } finally {
      await stop(second);
    }
    expect((await job(id)).attempts).toBe(2);
    expect(await count('import_packages')).toBe(0);
  });
});
