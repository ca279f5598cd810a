/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- the CLI's output is parsed JSON */
import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { loadWorkerConfig } from '../../../api/worker/config.js';
import { ImportWorker } from '../../../api/worker/import-worker.js';
import { startCli, type CliRun } from '../../helpers/cli-process.js';
import { freePort } from '../../helpers/free-port.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

jest.setTimeout(60_000);

// What a RosterHub pod gets from the operator's Secrets: parts, never DATABASE_URL / REDIS_URL.
// Both passwords need escaping in a URL; the test PostgreSQL trusts loopback and ignores its own.
const REDIS_PASSWORD = 'k3y/with+base64=';
const SECRET = 'hunter2-do-not-print';

let database: TestDatabase;
let redis: OwnRedisServer;
let work: string;
let pgParts: Record<string, string>;
let redisParts: Record<string, string>;

function run(args: string[], env: Record<string, string>): Promise<CliRun> {
  return startCli(args, env).done;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  pgParts = {
    PGHOST: url.hostname,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
    PGPASSWORD: 'p@ss/w:rd?',
    PGDATABASE: database.name,
  };
  redis = await OwnRedisServer.start();
  const admin = new Redis(redis.url);
  await admin.config('SET', 'requirepass', REDIS_PASSWORD);
  admin.disconnect();
  redisParts = { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.port), REDIS_PASSWORD };
  work = await mkdtemp(join(tmpdir(), 'rh-cli-env-'));
  await writeCsvPackage(generateDistrict(SIZES.small, 3), join(work, 'package'));
});

afterAll(async () => {
  await redis.destroy();
  await database.drop();
  await rm(work, { recursive: true, force: true });
});

describe('rosterhub CLI connection settings, as a pod passes them', () => {
  it('When only PG* variables are set, then keys create writes the key into that database', async () => {
    const made = await run(['keys', 'create', '--name', 'in-pod', '--scopes', 'roster.readonly'], pgParts);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const { keyId } = JSON.parse(made.stdout) as { keyId: string };
    expect(await database.scalar(`select name as v from api_keys where key_id = '${keyId}'`)).toBe('in-pod');
  });

  it('When only PG* variables are set, then migrate runs without any Redis setting', async () => {
    const migrated = await run(['migrate', '--wait', '5'], pgParts);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain('database schema is current');
  });

  it('When only PG* and REDIS_* variables are set, then import --dry-run is checked by the worker and exits 0', async () => {
    const worker = new ImportWorker(loadWorkerConfig({ ...pgParts, ...redisParts }), memoryLogger().logger);
    await worker.start();
    try {
      const imported = await run(['import', '--dry-run', join(work, 'package')], {
        ...pgParts,
        ...redisParts,
      });
      expect(imported.code).toBe(0);
      const job = JSON.parse(imported.stdout);
      expect(job).toMatchObject({ state: 'completed', dryRun: true });
      expect(job.counts.users.inserted).toBeGreaterThan(0);
      expect(await database.scalar('select count(*) as v from users')).toBe('0');
    } finally {
      await worker.close(1000);
    }
  });

  it.each([
    ['without a scheme', `redis//:${SECRET}@127.0.0.1:6379`, 'expected a URL starting with redis://'],
    ['with another scheme', `http://:${SECRET}@127.0.0.1:6379`, 'expected a URL starting with redis://'],
    ['with a database that is not a number', `redis://:${SECRET}@127.0.0.1:6379/zero`, 'database number'],
  ])(
    'When REDIS_URL is malformed (%s), then import exits 2 naming REDIS_URL without the password',
    async (_case, redisUrl, reason) => {
      const imported = await run(['import', '--dry-run', join(work, 'package')], {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
      });
      expect(imported.code).toBe(2);
      expect(imported.stderr).toContain('rosterhub import: invalid configuration');
      expect(imported.stderr).toContain('REDIS_URL=(secret value not shown) is invalid');
      expect(imported.stderr).toContain(reason);
      expect(imported.stdout + imported.stderr).not.toContain(SECRET);
    },
  );

  it('When Redis cannot be reached, then import exits 1 soon, naming REDIS_URL and where it points without the password', async () => {
    const port = await freePort();
    const imported = await run(['import', '--dry-run', join(work, 'package')], {
      DATABASE_URL: database.url,
      REDIS_URL: `redis://:${SECRET}@127.0.0.1:${port}`,
    });
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain(`cannot connect to Redis at 127.0.0.1:${port} (REDIS_URL)`);
    expect(imported.stdout + imported.stderr).not.toContain(SECRET);
  });

  it.each([
    'keys list',
    'clients create --name x --scopes roster.readonly',
    'admin-key create --name x',
    'seed --size small',
    'export out.zip',
    'import package',
    'migrate',
  ])(
    'When DATABASE_URL is malformed, then `rosterhub %s` exits 2 naming DATABASE_URL without the password',
    async (command) => {
      const result = await run(command.split(' '), {
        DATABASE_URL: `postgres//rosterhub:${SECRET}@127.0.0.1/rosterhub`,
        ...redisParts,
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('DATABASE_URL=(secret value not shown) is invalid');
      expect(result.stdout + result.stderr).not.toContain(SECRET);
    },
  );

  it('When PGPORT is not a port number, then the command exits 2 naming PGPORT (the part that was set), without the password', async () => {
    const result = await run(['keys', 'list'], { ...pgParts, PGPORT: 'abc' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PGPORT="abc" is invalid: expected a port number');
    expect(result.stdout + result.stderr).not.toContain('p@ss/w:rd?');
  });
});
