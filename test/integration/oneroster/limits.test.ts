import { request } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { EXPORT_APPLICATION_NAME } from '../../../api/exports/exporter.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { RateLimiter } from '../../../api/services/rate-limiter.js';
import { requiredEnv } from '../../helpers/env.js';
import { startRosterFixture, type RosterFixture } from './fixture.js';

/** POST /oauth/token from a given loopback source address, as clients on different hosts would. */
function tokenFrom(
  fixture: RosterFixture,
  sourceAddress: string,
  clientId: string,
  clientSecret: string,
): Promise<number> {
  const url = new URL('/oauth/token', fixture.under.baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        localAddress: sourceAddress,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end('grant_type=client_credentials');
  });
}

describe('Limits that protect everyone', () => {
  it('When API processes share a limit, then together they never admit more than it, not even at the start of a window', async () => {
    const redis = new Redis(requiredEnv('REDIS_URL'));
    const { logger } = memoryLogger();
    const limiters = [0, 1, 2].map(
      () =>
        new RateLimiter(redis, { limit: 1000, windowSeconds: 3600 }, logger, () => `limits-${process.pid}`),
    );
    try {
      const verdicts = await Promise.all(
        Array.from({ length: 3000 }, (_, i) => limiters[i % limiters.length]!.hit('one-client')),
      );
      const admitted = verdicts.filter((verdict) => verdict.allowed).length;
      expect(admitted).toBeLessThanOrEqual(1000);
      // reservations a process did not use are all a window can lose
      expect(admitted).toBeGreaterThan(1000 - limiters.length * 10);
    } finally {
      redis.disconnect();
    }
  });

  describe('the token endpoint', () => {
    let fixture: RosterFixture;
    beforeAll(async () => {
      fixture = await startRosterFixture({
        TOKEN_FAILURES_PER_CLIENT_ADDRESS: '3',
        TOKEN_REQUESTS_PER_ADDRESS: '8',
        RATE_LIMIT_WINDOW_SECONDS: '3600',
      });
    });
    afterAll(() => fixture.close());

    it('When someone guesses a client’s secret from one address, then that address is stopped, and the client itself still gets tokens from its own', async () => {
      const { clientId, clientSecret } = await fixture.admin.createClient('Classroom', 'roster.readonly');
      for (let i = 0; i < 3; i += 1)
        expect(await tokenFrom(fixture, '127.0.0.2', clientId, `guess-${i}`)).toBe(401);
      expect(await tokenFrom(fixture, '127.0.0.2', clientId, `guess-again`)).toBe(429);
      // even the right secret from the guessing address waits for the window
      expect(await tokenFrom(fixture, '127.0.0.2', clientId, clientSecret)).toBe(429);
      expect(await tokenFrom(fixture, '127.0.0.3', clientId, clientSecret)).toBe(200);
    });

    it('When one address floods the token endpoint with made-up clients, then it is limited before any lookup, and others are not', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1)
        statuses.push(await tokenFrom(fixture, '127.0.0.4', `made-up-${i}`, 'x'));
      expect(statuses.slice(0, 8).every((status) => status === 401)).toBe(true);
      expect(statuses.slice(8)).toEqual([429, 429]);
      const { clientId, clientSecret } = await fixture.admin.createClient('Canvas', 'roster.readonly');
      expect(await tokenFrom(fixture, '127.0.0.5', clientId, clientSecret)).toBe(200);
    });
  });

  describe('admin endpoints', () => {
    let fixture: RosterFixture;
    let adminKey: string;
    beforeAll(async () => {
      fixture = await startRosterFixture({ ADMIN_RATE_LIMIT_REQUESTS: '6', EXPORT_CONCURRENCY: '1' });
      adminKey = (await fixture.admin.createKeyWithScopes('admin', ['https://rosterhub.invalid/scope/admin']))
        .key;
    });
    afterAll(() => fixture.close());

    /** The export connections PostgreSQL has now (each holds a snapshot). */
    const exportConnections = async () => {
      const client = new pg.Client({ connectionString: fixture.database.url });
      await client.connect();
      try {
        const result = await client.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where application_name = $1',
          [EXPORT_APPLICATION_NAME],
        );
        return result.rows[0]?.n ?? 0;
      } finally {
        await client.end();
      }
    };

    const exportRequest = (signal?: AbortSignal) =>
      fetch(`${fixture.under.baseUrl}/rosterhub/v1/exports`, {
        headers: { authorization: `Bearer ${adminKey}` },
        ...(signal ? { signal } : {}),
      });

    it('When an admin key polls an import more often than the admin limit allows, then each poll is answered and the key can still start work', async () => {
      for (let poll = 0; poll < 10; poll += 1) {
        const response = await fetch(`${fixture.under.baseUrl}/rosterhub/v1/imports/no-such-job`, {
          headers: { authorization: `Bearer ${adminKey}` },
        });
        expect({ poll, status: response.status }).toEqual({ poll, status: 404 });
        await response.arrayBuffer();
      }
      const started = await exportRequest();
      expect(started.status).toBe(200);
      await started.arrayBuffer();
    });

    it('When an export runs, then a second one waits its turn (429) until the first caller goes away; an admin key has a request limit', async () => {
      const stop = new AbortController();
      const first = await exportRequest(stop.signal);
      expect(first.status).toBe(200);
      const second = await exportRequest();
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await second.text()).toContain('as many exports as allowed are running');
      // the first caller goes away half-way: its connection and snapshot go at once, its slot is free again
      expect(await exportConnections()).toBe(1);
      stop.abort();
      await first.arrayBuffer().catch(() => undefined);
      while ((await exportConnections()) > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      let third = await exportRequest();
      while (third.status === 429) {
        await third.arrayBuffer();
        third = await exportRequest();
      }
      expect(third.status).toBe(200);
      await third.arrayBuffer();
      let limited: Response;
      do {
        limited = await exportRequest();
        await limited.arrayBuffer().catch(() => undefined);
      } while (limited.status === 200);
      expect(limited.status).toBe(429);
      const refused = await exportRequest();
      expect(await refused.text()).toContain('too many admin requests');
    });
  });
});
