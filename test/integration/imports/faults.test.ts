import { jest } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict, type DistrictSize } from '../../../api/generator/district.js';
import type { ImportJobView } from '../../../api/imports/job-store.js';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import {
  postPackage,
  rosterGet,
  startImportStack,
  waitForJob,
  zipFolder,
  type ImportStack,
} from './support.js';

/**
 * Faults during imports: the worker killed with SIGKILL in the middle of a large import, and
 * Redis restarted (losing its data: no persistence) while a job is running or waiting.
 */
jest.setTimeout(300_000);

const cli = fileURLToPath(new URL('../../../bin/rosterhub.js', import.meta.url));
// large enough that an import takes seconds: 60,000 users and 200,000 enrollments
const MEDIUM: DistrictSize = {
  schools: 20,
  courses: 100,
  classes: 2000,
  users: 60_000,
  enrollments: 200_000,
};
const ALL = 'roster.readonly roster-core.readonly roster-demographics.readonly';

let work: string;
let small: Buffer;
let medium: Buffer;
let mediumUsers: number;
let mediumEnrollments: number;

const lines = async (path: string): Promise<number> =>
  (await readFile(path, 'utf8')).split('\r\n').filter((line) => line !== '').length - 1;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rh-faults-'));
  await writeCsvPackage(generateDistrict(SIZES.small, 1), join(work, 'small'));
  small = await zipFolder(join(work, 'small'));
  await writeCsvPackage(generateDistrict(MEDIUM, 2), join(work, 'medium'));
  medium = await zipFolder(join(work, 'medium'));
  mediumUsers = await lines(join(work, 'medium', 'users.csv'));
  mediumEnrollments = await lines(join(work, 'medium', 'enrollments.csv'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** `rosterhub worker` as a process of its own. */
function startWorkerProcess(stack: ImportStack, redisUrl: string): ChildProcess {
  return spawn(process.execPath, [cli, 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: stack.database.url,
      REDIS_URL: redisUrl,
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_RECONCILE_INTERVAL_MS: '1000',
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
}

async function jobView(stack: ImportStack, id: string): Promise<ImportJobView> {
  const response = await fetch(`${stack.under.baseUrl}/rosterhub/v1/imports/${id}`, {
    headers: { authorization: `Bearer ${stack.adminKey}` },
  });
  if (!response.ok)
    throw new Error(`GET /imports/${id} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as ImportJobView;
}

async function stored(stack: ImportStack): Promise<{ users: number; active: number; enrollments: number }> {
  const result = await stack.under.api.database.pool.query<{
    users: string;
    active: string;
    enrollments: string;
  }>(
    `select (select count(*) from users) as users, (select count(*) from users where status = 'active') as active,
       (select count(*) from enrollments where status = 'active') as enrollments`,
  );
  const row = result.rows[0];
  return { users: Number(row?.users), active: Number(row?.active), enrollments: Number(row?.enrollments) };
}

async function readerKey(stack: ImportStack): Promise<string> {
  return (
    await new CredentialAdmin(new CredentialsRepository(stack.under.api.database.orm)).createKey('r', ALL)
  ).key;
}

const totalCount = async (stack: ImportStack, key: string, path: string): Promise<string | null> => {
  const response = await fetch(`${stack.under.baseUrl}/ims/oneroster/rostering/v1p2${path}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  return response.headers.get('x-total-count');
};

describe('faults during imports', () => {
  let redis: OwnRedisServer;

  beforeEach(async () => {
    redis = await OwnRedisServer.start();
  });

  afterEach(async () => {
    await redis.destroy();
  });

  it('When the worker is killed with SIGKILL in the middle of a large import, then the API keeps serving the previous data, the job is retried by the next worker and completes, with no partial or duplicate rows', async () => {
    const stack = await startImportStack(redis.url, false);
    let worker = startWorkerProcess(stack, redis.url);
    try {
      const key = await readerKey(stack);
      const first = await waitForJob(stack, (await postPackage(stack, small)).body.id);
      expect(first).toMatchObject({ state: 'completed', outcome: 'applied' });
      await stack.under.api.oneRoster.dataVersion.refresh();
      const before = await stored(stack);
      const version = stack.under.api.oneRoster.dataVersion.current();
      const activeBefore = await totalCount(
        stack,
        key,
        `/users?limit=1&filter=${encodeURIComponent("status='active'")}`,
      );

      const { id } = (await postPackage(stack, medium)).body;
      let view = await jobView(stack, id);
      // kill it once the rows are read and it is checking or merging (or deep into reading)
      while (!(
        view.state === 'active' &&
        (['checking', 'merging', 'committing'].includes(view.progress?.phase ?? '') ||
          (view.progress?.files.find((f) => f.file === 'enrollments.csv')?.rows ?? 0) > 0)
      )) {
        expect(['queued', 'active']).toContain(view.state);
        await sleep(20);
        view = await jobView(stack, id);
      }
      worker.kill('SIGKILL');
      await once(worker, 'exit');

      // the killed worker's transaction is rolled back: the previous data only, served as before
      await stack.under.api.oneRoster.dataVersion.refresh();
      expect(await stored(stack)).toEqual(before);
      expect(stack.under.api.oneRoster.dataVersion.current()).toBe(version);
      expect(
        await totalCount(stack, key, `/users?limit=1&filter=${encodeURIComponent("status='active'")}`),
      ).toBe(activeBefore);
      expect((await jobView(stack, id)).state).not.toMatch(/^(completed|rejected|failed)$/);

      worker = startWorkerProcess(stack, redis.url);
      const done = await waitForJob(stack, id);
      expect(done).toMatchObject({ state: 'completed', outcome: 'applied' });
      expect(done.attempts).toBeGreaterThanOrEqual(2);
      const after = await stored(stack);
      expect(after.active).toBe(mediumUsers);
      expect(after.enrollments).toBe(mediumEnrollments);
      const duplicates = await stack.under.api.database.pool.query<{ n: string }>(
        `select count(*) as n from (select user_sourced_id, class_sourced_id from enrollments where status = 'active'
           group by 1, 2 having count(*) > 1) d`,
      );
      expect(duplicates.rows[0]?.n).toBe('0');
      await stack.under.api.oneRoster.dataVersion.refresh();
      expect(
        await totalCount(stack, key, `/users?limit=1&filter=${encodeURIComponent("status='active'")}`),
      ).toBe(String(mediumUsers));
      const imports = await stack.under.api.database.pool.query<{ n: string }>(
        `select count(*) as n from import_jobs where id = $1`,
        [id],
      );
      expect(imports.rows[0]?.n).toBe('1');
    } finally {
      worker.kill('SIGKILL');
      await stack.close();
    }
  });

  it('When Redis restarts (losing its data) while a job runs, then the job still finishes with a clear state and its data is applied', async () => {
    const stack = await startImportStack(redis.url, true);
    try {
      const { id } = (await postPackage(stack, medium)).body;
      let view = await jobView(stack, id);
      while (view.state !== 'active' || (view.progress?.files[0]?.rows ?? 0) === 0) {
        expect(['queued', 'active']).toContain(view.state);
        await sleep(20);
        view = await jobView(stack, id);
      }
      await redis.stop();
      await sleep(500);
      await redis.start();
      const done = await waitForJob(stack, id);
      expect(done.state).toBe('completed');
      expect(done.outcome).toBe('applied');
      expect((await stored(stack)).active).toBe(mediumUsers);
    } finally {
      await stack.close();
    }
  });

  it('When Redis restarts (losing its data) while a job waits for a worker, then the worker queues it again from its durable record and it completes', async () => {
    const stack = await startImportStack(redis.url, false);
    let worker: ChildProcess | undefined;
    try {
      const { id } = (await postPackage(stack, small)).body;
      expect((await jobView(stack, id)).state).toBe('queued');
      await redis.stop();
      await redis.start();
      worker = startWorkerProcess(stack, redis.url);
      const done = await waitForJob(stack, id);
      expect(done).toMatchObject({ state: 'completed', outcome: 'applied' });
      const key = await readerKey(stack);
      await stack.under.api.oneRoster.dataVersion.refresh();
      expect((await rosterGet(stack, key, '/orgs/org-district')).status).toBe(200);
    } finally {
      worker?.kill('SIGKILL');
      await stack.close();
    }
  });
});
