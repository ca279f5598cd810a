import { startApi, type ApiUnderTest } from '../../helpers/api-under-test.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { setTimeout as sleep } from 'node:timers/promises';

let database: TestDatabase;
let redis: OwnRedisServer;
let under: ApiUnderTest;

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${under.healthUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function eventually(
  path: string,
  status: number,
): Promise<{ status: number; body: Record<string, unknown> }> {
  for (;;) {
    const result = await getJson(path);
    if (result.status === status) return result;
    await sleep(100);
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  redis = await OwnRedisServer.start();
  under = await startApi({
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    HEALTH_CHECK_TIMEOUT_MS: '500',
  });
});

afterAll(async () => {
  await under.api.shutdown();
  await redis.destroy();
  await database.drop();
});

describe('health endpoints against real PostgreSQL and Redis', () => {
  it('When both are up, then /health answers 200 in the original RosterHub shape', async () => {
    const { status, body } = await eventually('/health', 200);
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
      error: {},
      details: { database: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('When both are up and migrations ran, then /readyz and /healthz answer 200', async () => {
    const ready = await eventually('/readyz', 200);
    expect(ready.body).toMatchObject({ status: 'ready', failing: [] });
    expect((ready.body.details as Record<string, unknown>).migrations).toEqual({ status: 'up' });
    expect((await getJson('/healthz')).status).toBe(200);
  });

  it('When Redis stops, then /readyz and /health answer 503 naming redis, /healthz stays 200, and all recover when it restarts', async () => {
    await redis.stop();

    const notReady = await eventually('/readyz', 503);
    expect(notReady.body).toMatchObject({ status: 'not ready', failing: ['redis'] });
    const health = await eventually('/health', 503);
    expect(health.body).toMatchObject({
      status: 'error',
      info: { database: { status: 'up' } },
      error: { redis: { status: 'down' } },
    });
    expect((await getJson('/healthz')).status).toBe(200);

    await redis.start();

    expect((await eventually('/readyz', 200)).body).toMatchObject({ status: 'ready', failing: [] });
    expect((await eventually('/health', 200)).body).toMatchObject({ status: 'ok', error: {} });
  });
});
