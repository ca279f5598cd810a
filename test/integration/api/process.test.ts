import { startCli } from '../../helpers/cli-process.js';
import { freePort } from '../../helpers/free-port.js';
import { requiredEnv } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

describe('the rosterhub api process', () => {
  it('When PORT is malformed, then start-up stops with exit code 2 and a message naming PORT', async () => {
    const run = await startCli(['api'], {
      PORT: 'abc',
      DATABASE_URL: database.url,
      REDIS_URL: requiredEnv('REDIS_URL'),
    }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('PORT="abc" is invalid');
  });

  it('When DATABASE_URL is missing and REDIS_URL is malformed, then both are named', async () => {
    const run = await startCli(['api'], { REDIS_URL: 'http://nope' }).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DATABASE_URL is required');
    expect(run.stderr).toContain('REDIS_URL=(secret value not shown) is invalid');
  });

  it('When PostgreSQL cannot be reached, then start-up fails with exit code 1 naming DATABASE_URL without its password', async () => {
    const port = await freePort();
    const run = await startCli(['api'], {
      PORT: '0',
      HEALTH_PORT: '0',
      DATABASE_URL: `postgres://rosterhub:topsecret@127.0.0.1:${port}/rosterhub`,
      REDIS_URL: requiredEnv('REDIS_URL'),
    }).done;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `cannot connect to PostgreSQL at 127.0.0.1:${port}/rosterhub (DATABASE_URL)`,
    );
    expect(run.stdout + run.stderr).not.toContain('topsecret');
  });

  it('When `rosterhub migrate` runs against a fresh database, then it applies the migrations and exits 0; when PostgreSQL stays unreachable, it gives up after --wait and exits 1', async () => {
    const fresh = await createTestDatabase();
    try {
      const ok = await startCli(['migrate'], { DATABASE_URL: fresh.url, REDIS_URL: requiredEnv('REDIS_URL') })
        .done;
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain('applied migrations: 0001-data-version');
    } finally {
      await fresh.drop();
    }
    const port = await freePort();
    const down = await startCli(['migrate', '--wait', '1'], {
      DATABASE_URL: `postgres://rosterhub@127.0.0.1:${port}/rosterhub`,
      REDIS_URL: requiredEnv('REDIS_URL'),
    }).done;
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('waiting for PostgreSQL');
    expect(down.stdout).toContain('PostgreSQL is not reachable (DATABASE_URL) after 1 s');
  });

  it('When it receives SIGTERM, then it logs JSON, stops cleanly and exits 0', async () => {
    const port = await freePort();
    const healthPort = await freePort();
    const api = startCli(['api'], {
      PORT: String(port),
      HEALTH_PORT: String(healthPort),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      REDIS_URL: requiredEnv('REDIS_URL'),
      SHUTDOWN_DRAIN_MS: '100',
    });
    while (!api.output().includes('listening on')) {
      if (api.child.exitCode !== null) throw new Error(`api exited early: ${(await api.done).stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const health = await fetch(`http://127.0.0.1:${healthPort}/health`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/openapi.json`)).status).toBe(200);

    api.child.kill('SIGTERM');
    const run = await api.done;
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.message)).toEqual(
      expect.arrayContaining(['shutting down: received SIGTERM', 'stopped', 'GET /openapi.json 200']),
    );
    expect(
      lines.every((line) => typeof line.timestamp === 'string' && line.service === 'rosterhub-api'),
    ).toBe(true);
  });
});
