import { Redis } from 'ioredis';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { get, startRosterFixture, tokenFor, type RosterFixture } from './fixture.js';

/** A Redis as the district's: small, and refusing writes when full (noeviction, as BullMQ needs). */
const MAXMEMORY = 8 * 2 ** 20;
const BUDGET = 2 * 2 ** 20;

let redis: OwnRedisServer;
let fixture: RosterFixture;
let client: Redis;

beforeAll(async () => {
  redis = await OwnRedisServer.start(['--maxmemory', String(MAXMEMORY), '--maxmemory-policy', 'noeviction']);
  fixture = await startRosterFixture({
    REDIS_URL: redis.url,
    RESPONSE_CACHE_REDIS_BYTES: String(BUDGET),
    RESPONSE_CACHE_LOCAL_MB: '0',
    AUTH_CACHE_MS: '0',
  });
  client = new Redis(redis.url);
});

afterAll(async () => {
  client.disconnect();
  await fixture.close();
  await redis.destroy();
});

async function cachedAnswerBytes(): Promise<number> {
  let bytes = 0;
  for (const key of await client.keys('rh:resp:*')) bytes += await client.strlen(key);
  return bytes;
}

describe('The response cache cannot starve the import queue or the tokens', () => {
  it('When a full sync asks for far more distinct pages than Redis holds, then the cache stops at its budget and tokens are still issued', async () => {
    const { clientId, clientSecret } = await fixture.admin.createClient('Classroom', 'roster.readonly');
    // every user page at several sizes: about 15 MiB of distinct answers against 8 MiB of Redis
    for (const limit of [50, 60, 70, 80, 90, 100]) {
      for (let offset = 0; offset < 600; offset += limit) {
        expect((await get(fixture, `/users?limit=${limit}&offset=${offset}`)).status).toBe(200);
        expect((await get(fixture, `/enrollments?limit=${limit * 3}&offset=${offset * 2}`)).status).toBe(200);
      }
    }
    const bytes = await cachedAnswerBytes();
    expect(bytes).toBeGreaterThan(BUDGET / 2);
    expect(bytes).toBeLessThanOrEqual(BUDGET);

    expect((await tokenFor(fixture, clientId, clientSecret)).status).toBe(200);
    // room is left for the import queue's writes
    await expect(client.set('rh:test:queue-room', 'x'.repeat(2 ** 20))).resolves.toBe('OK');
  });
});
