import { OwnRedisServer } from '../../helpers/redis-server.js';
import { get, imsxError, startRosterFixture, type RosterFixture } from './fixture.js';

let redis: OwnRedisServer;
let fixture: RosterFixture;

beforeAll(async () => {
  redis = await OwnRedisServer.start();
  fixture = await startRosterFixture({ REDIS_URL: redis.url });
});

afterAll(async () => {
  await fixture.close();
  await redis.destroy();
});

describe('when Redis is down', () => {
  it('When Redis stops, then API keys still read (from PostgreSQL, uncached) and bearer tokens get 503 server_busy, not 500', async () => {
    const client = await fixture.admin.createClient('outage', 'roster-core.readonly');
    const response = await fetch(`${fixture.under.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect((await get(fixture, '/orgs', token)).status).toBe(200);

    await redis.stop();

    const withKey = await get(fixture, '/orgs?limit=2');
    expect(withKey.status).toBe(200);
    expect((withKey.body as { orgs: unknown[] }).orgs).toHaveLength(2);
    const withFreshToken = await get(fixture, '/orgs', 'rh_at_unknownunknownunknownunknownunknownunkno');
    expect(withFreshToken.status).toBe(503);
    expect(withFreshToken.body).toEqual(imsxError('server_busy'));

    await redis.start();
  });
});
