import { setTimeout as sleep } from 'node:timers/promises';
import { startApi } from '../../helpers/api-under-test.js';
import { requiredEnv } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

describe('graceful shutdown', () => {
  it('When shutdown starts during a slow request, then readiness turns 503 first and the request still completes', async () => {
    let release: () => void = () => undefined;
    const requestArrived = new Promise<void>((arrived) => {
      release = arrived;
    });
    const under = await startApi(
      { DATABASE_URL: database.url, REDIS_URL: requiredEnv('REDIS_URL'), SHUTDOWN_DRAIN_MS: '400' },
      (app) => {
        app.get('/slow', async (_req, res) => {
          release();
          await sleep(1200);
          res.json({ finished: true });
        });
      },
    );

    const inFlight = fetch(`${under.baseUrl}/slow`);
    await requestArrived;
    const stopped = under.api.shutdown('test');

    const readyz = await fetch(`${under.healthUrl}/readyz`);
    expect(readyz.status).toBe(503);
    expect(((await readyz.json()) as { failing: string[] }).failing).toContain('shutdown');

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ finished: true });
    expect(await stopped).toBe(true);

    await expect(fetch(`${under.healthUrl}/healthz`)).rejects.toThrow();
  });

  it('When a request outlasts SHUTDOWN_TIMEOUT_MS, then it is cut off and shutdown says so, and the rest still closes, last opened first', async () => {
    const under = await startApi(
      {
        DATABASE_URL: database.url,
        REDIS_URL: requiredEnv('REDIS_URL'),
        SHUTDOWN_TIMEOUT_MS: '1000',
      },
      (app) => {
        app.get('/endless', () => undefined);
      },
    );
    const cutOff = fetch(`${under.baseUrl}/endless`).then(
      () => 'answered',
      () => 'cut off',
    );
    await sleep(100);
    expect(await under.api.shutdown('test')).toBe(false);
    expect(await cutOff).toBe('cut off');
    const messages = under.logLines().map((line) => String(line.message));
    expect(messages).toContain('cannot close the HTTP server cleanly');
    expect(messages.filter((message) => message.startsWith('closed '))).toEqual([
      'closed the health server',
      'closed the import queue',
      'closed the OneRoster API',
      'closed Redis',
      'closed PostgreSQL',
    ]);
  });
});
