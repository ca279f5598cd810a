import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ApiProcess, StartupError } from '../../../api/api-process.js';
import { loadApiConfig } from '../../../api/config.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;
let redis: OwnRedisServer;
let taken: Server;
let takenPort: number;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await OwnRedisServer.start();
  taken = createServer();
  taken.listen(0, '127.0.0.1');
  await once(taken, 'listening');
  takenPort = (taken.address() as { port: number }).port;
});

afterAll(async () => {
  taken.close();
  await redis.destroy();
  await database.drop();
});

/** Connections PostgreSQL has to the test database (this test's own check excluded). */
async function databaseConnections(): Promise<number> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const result = await client.query<{ n: number }>(
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return result.rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Clients Redis has, this check's own excluded. */
async function redisClients(): Promise<number> {
  const client = new Redis(redis.url);
  try {
    const list = (await client.client('LIST')) as string;
    return list.trim().split('\n').length - 1;
  } finally {
    client.disconnect();
  }
}

/** A closed connection leaves the server's list a moment later: the count once it drops to 0, or after 50 looks. */
async function settled(count: () => Promise<number>): Promise<number> {
  let n = await count();
  for (let look = 0; look < 50 && n > 0; look += 1) {
    await sleep(20);
    n = await count();
  }
  return n;
}

describe('a start that fails', () => {
  it.each([
    ['HEALTH_PORT', { PORT: '0', HEALTH_PORT: 'taken' }],
    ['PORT', { PORT: 'taken', HEALTH_PORT: '0' }],
  ])(
    'When %s is already in use, then start-up fails naming it and closes what it had opened, last opened first',
    async (setting, ports) => {
      const env = Object.fromEntries(
        Object.entries(ports).map(([name, value]) => [name, value === 'taken' ? String(takenPort) : value]),
      );
      const { logger, lines } = memoryLogger();
      const config = loadApiConfig({
        ...env,
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        SHUTDOWN_DRAIN_MS: '0',
      });
      const failure = await ApiProcess.start({ config, logger }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(StartupError);
      expect((failure as Error).message).toBe(
        `cannot listen on 127.0.0.1:${takenPort}: port ${takenPort} is already in use (${setting})`,
      );
      const closed = lines()
        .map((line) => String(line.message))
        .filter((message) => message.startsWith('closed '));
      expect(closed).toEqual([
        ...(setting === 'PORT' ? ['closed the health server'] : []),
        'closed the import queue',
        'closed the OneRoster API',
        'closed Redis',
        'closed PostgreSQL',
      ]);
      expect(await settled(databaseConnections)).toBe(0);
      expect(await settled(redisClients)).toBe(0);
    },
  );
});
