import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Database } from '../../../api/db/database.js';
import { MIGRATIONS_TABLE, migrationsList } from '../../../api/db/migrations/index.js';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { generateDistrict, SIZES } from '../../../api/generator/district.js';
import { CredentialAdmin } from '../../../api/services/credential-admin.js';
import { CredentialsRepository } from '../../../api/data/credentials-repository.js';
import { startCli } from '../../helpers/cli-process.js';
import { requiredEnv } from '../../helpers/env.js';
import { OwnPgBouncer } from '../../helpers/pgbouncer.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { postPackage, startImportStack, waitForJob, zipFolder } from '../imports/support.js';

let bouncer: OwnPgBouncer;
let redis: OwnRedisServer;
let work: string;

beforeAll(async () => {
  bouncer = await OwnPgBouncer.start(requiredEnv('DATABASE_URL'));
  redis = await OwnRedisServer.start();
  work = await mkdtemp(join(tmpdir(), 'rh-pgbouncer-'));
});

afterAll(async () => {
  await redis.destroy();
  await bouncer.destroy();
  await rm(work, { recursive: true, force: true });
});

/** The settings of a process whose PostgreSQL is behind the transaction pooler. */
const through = (database: TestDatabase): Record<string, string> => ({
  DATABASE_URL: bouncer.urlFor(database.url),
  DATABASE_POOL_MODE: 'transaction',
});

/**
 * The settings every server connection of the pool has, read from as many clients at once as
 * the pool has connections: each client holds one of them for its transaction.
 */
async function serverSettings(database: TestDatabase): Promise<string[]> {
  const clients = [0, 1].map(() => new pg.Client({ connectionString: bouncer.urlFor(database.url) }));
  try {
    for (const client of clients) await client.connect();
    const settings: string[] = [];
    for (const client of clients) await client.query('begin');
    for (const client of clients) {
      const result = await client.query<{ setting: string }>(
        `select string_agg(name || '=' || setting, ' ' order by name) as setting from pg_settings
         where name in ('statement_timeout', 'work_mem', 'temp_buffers', 'client_connection_check_interval')`,
      );
      settings.push(result.rows[0]?.setting ?? '');
    }
    for (const client of clients) await client.query('commit');
    return settings;
  } finally {
    for (const client of clients) await client.end().catch(() => undefined);
  }
}

describe('behind PgBouncer in transaction mode', () => {
  it('When two processes migrate at once through it, then both succeed, the migrations ran once and no lock is left', async () => {
    const database = await createTestDatabase();
    try {
      const runs = await Promise.all(
        [1, 2].map(() => startCli(['migrate'], { ...through(database), REDIS_URL: redis.url }).done),
      );
      expect(runs.map((run) => ({ code: run.code, stderr: run.stderr }))).toEqual([
        { code: 0, stderr: '' },
        { code: 0, stderr: '' },
      ]);
      expect(await database.scalar(`select count(*) as v from ${MIGRATIONS_TABLE}`)).toBe(
        String(migrationsList.length),
      );
      expect(await database.scalar(`select count(*) as v from pg_locks where locktype = 'advisory'`)).toBe(
        '0',
      );
    } finally {
      await database.drop();
    }
  });

  it('When a read outlasts the statement timeout through it, then PostgreSQL cancels it, and no other client inherits the timeout', async () => {
    const database = await createTestDatabase();
    const opened = await Database.open({
      url: bouncer.urlFor(database.url),
      poolMax: 2,
      statementTimeoutMs: 200,
      poolMode: 'transaction',
    });
    try {
      await expect(opened.reads.query('select pg_sleep(2)', [])).rejects.toMatchObject({ code: '57014' });
      expect((await opened.reads.query<{ n: number }>('select $1::int as n', [7])).rows).toEqual([{ n: 7 }]);
      for (const setting of await serverSettings(database)) expect(setting).toContain('statement_timeout=0');
    } finally {
      await opened.close();
      await database.drop();
    }
  });

  it('When the API and the worker run through it, then imports apply one after another, the API serves each new roster, and none of their settings reach other clients', async () => {
    const stack = await startImportStack(redis.url, true, {}, through);
    try {
      const admin = new CredentialAdmin(new CredentialsRepository(stack.under.api.database.orm));
      const { key: reader } = await admin.createKey('reader', 'roster.readonly');
      const activeUsers = async (): Promise<string | null> => {
        const response = await fetch(
          `${stack.under.baseUrl}/ims/oneroster/rostering/v1p2/users?limit=2&filter=${encodeURIComponent("status='active'")}`,
          { headers: { authorization: `Bearer ${reader}` } },
        );
        expect(response.status).toBe(200);
        await response.arrayBuffer();
        return response.headers.get('x-total-count');
      };
      const sizes = [SIZES.small, { ...SIZES.small, users: 700, enrollments: 1700 }];
      let previous = '0';
      for (const [index, size] of sizes.entries()) {
        const folder = join(work, `district-${index}`);
        await writeCsvPackage(generateDistrict(size, index + 1), folder);
        const posted = await postPackage(stack, await zipFolder(folder));
        expect(posted.status).toBe(202);
        expect(await waitForJob(stack, posted.body.id)).toMatchObject({
          state: 'completed',
          outcome: 'applied',
        });
        const stored = await stack.database.scalar(`select count(*) as v from users where status = 'active'`);
        expect(stored).not.toBe(previous);
        previous = stored;
        // the API learns of the import by polling: LISTEN does not work behind a transaction pooler
        while ((await activeUsers()) !== stored) await sleep(200);
        // the same reads again and again, on whichever server connection they land
        for (let read = 0; read < 10; read += 1) expect(await activeUsers()).toBe(stored);
      }
      for (const setting of await serverSettings(stack.database)) {
        expect(setting).toContain('statement_timeout=0');
        expect(setting).toContain('temp_buffers=1024');
        expect(setting).toContain('client_connection_check_interval=0');
      }
    } finally {
      await stack.close();
    }
  });
});
