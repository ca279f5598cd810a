import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SIZES } from '../../../api/generator/district.js';
import { startApi, type ApiUnderTest } from '../../helpers/api-under-test.js';
import { startCli, type CliRun } from '../../helpers/cli-process.js';
import { requiredEnv } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

jest.setTimeout(60_000);

let work: string;
const databases: TestDatabase[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rh-demo-'));
});

afterAll(async () => {
  await Promise.all(databases.map((database) => database.drop()));
  await rm(work, { recursive: true, force: true });
});

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}

/** A checkout's `.local/` whose services.env points at `database` and the test Redis. */
async function localDirFor(database: TestDatabase, name: string): Promise<string> {
  const dir = await mkdtemp(join(work, `${name}-`));
  await writeFile(
    join(dir, 'services.env'),
    `DATABASE_URL=${database.url}\nREDIS_URL=${requiredEnv('REDIS_URL')}\n`,
  );
  return dir;
}

/** `rosterhub demo` as `make run` runs it: nothing exported but the checkout's `.local/`. */
function demo(localDir: string, apiUrl = 'http://127.0.0.1:3000'): Promise<CliRun> {
  return startCli(['demo', '--api-url', apiUrl], { RH_LOCAL_DIR: localDir }).done;
}

async function counts(database: TestDatabase): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, string>>(
      `select (select count(*) from users) as users, (select count(*) from orgs) as orgs,
              (select count(*) from api_clients) as clients, (select count(*) from api_keys) as keys`,
    );
    return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([key, value]) => [key, Number(value)]));
  } finally {
    await client.end();
  }
}

/** The printed lines that start with `TOKEN=` and `curl … users`, run in bash (not synchronously: the API runs in this process). */
async function runPrintedUserCommands(printed: string): Promise<string> {
  const lines = printed.split('\n').map((line) => line.trim());
  const token = lines.find((line) => line.startsWith('TOKEN='));
  const users = lines.find((line) => line.startsWith('curl') && line.includes('/users?limit=2'));
  if (!token || !users) throw new Error(`the demo printed no token and users commands:\n${printed}`);
  const { stdout } = await promisify(execFile)('bash', ['-c', `set -e\n${token}\n${users}`], {
    encoding: 'utf8',
  });
  return stdout;
}

describe('rosterhub demo, which make run starts with', () => {
  it('When the database is empty, then it loads a district and prints commands that return users, found through .local/services.env', async () => {
    const database = await freshDatabase();
    const localDir = await localDirFor(database, 'empty');
    let api: ApiUnderTest | undefined;
    try {
      api = await startApi({ DATABASE_URL: database.url, REDIS_URL: requiredEnv('REDIS_URL') });
      const run = await demo(localDir, api.baseUrl);
      expect(run.code).toBe(0);
      expect(run.stderr).toContain('DATABASE_URL and REDIS_URL not set; using the local services');
      expect(await counts(database)).toEqual({ users: SIZES.small.users, orgs: 4, clients: 1, keys: 1 });
      expect((await stat(join(localDir, 'demo-credentials.json'))).mode & 0o777).toBe(0o600);
      const answer = JSON.parse(await runPrintedUserCommands(run.stdout)) as { users: unknown[] };
      expect(answer.users).toHaveLength(2);
    } finally {
      await api?.api.shutdown();
    }
  });

  it('When it runs again, then nothing changes and the same working commands are printed', async () => {
    const database = await freshDatabase();
    const localDir = await localDirFor(database, 'again');
    const first = await demo(localDir);
    const before = await counts(database);
    const second = await demo(localDir);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('nothing was changed');
    expect(await counts(database)).toEqual(before);
    const tokenLine = (text: string) => text.split('\n').find((line) => line.includes('TOKEN='));
    expect(tokenLine(second.stdout)).toBe(tokenLine(first.stdout));
  });

  it('When the database already holds a district of its own, then nothing is loaded or created', async () => {
    const database = await freshDatabase();
    const localDir = await localDirFor(database, 'used');
    const seeded = await startCli(['seed', '--size', 'small', '--seed', '7'], {
      DATABASE_URL: database.url,
    }).done;
    expect(seeded.code).toBe(0);
    const before = await counts(database);
    const run = await demo(localDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('already holds data; nothing was changed');
    expect(run.stdout).toContain('npx rosterhub clients create');
    expect(await counts(database)).toEqual(before);
  });

  it('When DATABASE_URL is set, then the local services are not used for either connection', async () => {
    const database = await freshDatabase();
    const other = await freshDatabase();
    const localDir = await localDirFor(other, 'explicit');
    const run = await startCli(['demo'], { RH_LOCAL_DIR: localDir, DATABASE_URL: database.url }).done;
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('local services');
    expect((await counts(database)).users).toBe(SIZES.small.users);
    // never migrated, so never connected to
    const client = new pg.Client({ connectionString: other.url });
    await client.connect();
    const { rows } = await client.query<{ users: string | null }>("select to_regclass('users') as users");
    await client.end();
    expect(rows[0]?.users).toBeNull();
  });
});
