/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are parsed JSON */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { bumpDataVersion } from '../../../api/data/data-version.js';
import { get, startRosterFixture, type RosterFixture } from './fixture.js';

let fixture: RosterFixture;
let client: pg.Client;

beforeAll(async () => {
  fixture = await startRosterFixture();
  client = new pg.Client({ connectionString: fixture.database.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await fixture.close();
});

/** db_queries_total by operation, from /metrics. */
async function queries(): Promise<Record<string, number>> {
  const text = await (await fetch(`${fixture.under.healthUrl}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^db_queries_total\{operation="(\w+)"\} (\d+)$/gm))
    counts[match[1]!] = Number(match[2]);
  return counts;
}

const total = (counts: Record<string, number>): number => Object.values(counts).reduce((a, b) => a + b, 0);

describe('the response cache', () => {
  it('When the same request is repeated, then the second answer is identical and PostgreSQL is not queried', async () => {
    const path = `/schools/org-school-0002/students?limit=5&filter=${encodeURIComponent("status='active'")}`;
    const first = await get(fixture, path);
    const before = await queries();
    const second = await get(fixture, path);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('x-total-count')).toBe(first.headers.get('x-total-count'));
    expect(second.headers.get('link')).toBe(first.headers.get('link'));
    expect(total(await queries())).toBe(total(before));
  });

  it('When further pages of the same collection are read, then X-Total-Count is not counted again', async () => {
    await get(fixture, '/enrollments?limit=10&offset=0');
    const before = await queries();
    for (const offset of [10, 20, 30])
      expect(
        (await get(fixture, `/enrollments?limit=10&offset=${offset}`)).headers.get('x-total-count'),
      ).toBe('1560');
    const after = await queries();
    expect(after.count ?? 0).toBe(before.count ?? 0);
    expect((after.page ?? 0) - (before.page ?? 0)).toBe(3);
  });

  it('When data changes and the data version is bumped, then the next answer is fresh; until then the cached one is served', async () => {
    const path = '/users/user-s0000001?fields=givenName';
    const original = (await get(fixture, path)).body.user.givenName as string;
    await client.query(`update users set given_name = 'Renamed' where sourced_id = 'user-s0000001'`);
    expect((await get(fixture, path)).body.user.givenName).toBe(original);
    await bumpDataVersion(client);
    for (;;) {
      if ((await get(fixture, path)).body.user.givenName === 'Renamed') break;
      await sleep(20);
    }
    expect((await get(fixture, '/users?filter=givenName%3D%27Renamed%27')).headers.get('x-total-count')).toBe(
      '1',
    );
  });

  it('When response caching is off, then every request is answered from PostgreSQL', async () => {
    const uncached = await startRosterFixture({ RESPONSE_CACHE: 'false' });
    try {
      await get(uncached, '/orgs');
      const text = async (): Promise<number> => {
        const body = await (await fetch(`${uncached.under.healthUrl}/metrics`)).text();
        return Number(/^db_queries_total\{operation="page"\} (\d+)$/m.exec(body)?.[1] ?? 0);
      };
      const before = await text();
      await get(uncached, '/orgs');
      expect(await text()).toBe(before + 1);
    } finally {
      await uncached.close();
    }
  });
});
