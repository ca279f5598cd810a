import { setTimeout as sleep } from 'node:timers/promises';
import { startCli } from '../../helpers/cli-process.js';
import { get, startRosterFixture, tokenFor, type RosterFixture } from './fixture.js';

const AUTH_CACHE_MS = 300;

let fixture: RosterFixture;

beforeAll(async () => {
  fixture = await startRosterFixture({ AUTH_CACHE_MS: String(AUTH_CACHE_MS), TOKEN_TTL_SECONDS: '600' });
});

afterAll(async () => {
  await fixture.close();
});

/** `rosterhub clients …` against the fixture's database; its JSON output. */
async function clients(...args: string[]): Promise<{ code: number; json: unknown; stderr: string }> {
  const run = await startCli(['clients', ...args], { DATABASE_URL: fixture.database.url }).done;
  return {
    code: run.code ?? -1,
    json: run.code === 0 ? JSON.parse(run.stdout) : undefined,
    stderr: run.stderr,
  };
}

const token = (clientId: string, clientSecret: string) => tokenFor(fixture, clientId, clientSecret);

/** Waits out what the API may remember of a credential. */
const afterCache = () => sleep(AUTH_CACHE_MS + 100);

describe('rosterhub clients: a district manages its OAuth clients', () => {
  it('When scopes are narrowed, the secret rotated and the client revoked, then its tokens follow each change within AUTH_CACHE_MS', async () => {
    const created = (
      await clients('create', '--name', 'Canvas', '--scopes', 'roster.readonly,roster-demographics.readonly')
    ).json as { clientId: string; clientSecret: string };
    const first = await token(created.clientId, created.clientSecret);
    expect(first.status).toBe(200);
    expect((await get(fixture, '/demographics?limit=1', first.token)).status).toBe(200);

    const narrowed = await clients('update-scopes', created.clientId, '--scopes', 'roster.readonly');
    expect(narrowed.code).toBe(0);
    await afterCache();
    expect((await get(fixture, '/demographics?limit=1', first.token)).status).toBe(403);
    expect((await get(fixture, '/users?limit=1', first.token)).status).toBe(200);

    const rotated = (await clients('rotate', created.clientId)).json as { clientSecret: string };
    expect(rotated.clientSecret).not.toBe(created.clientSecret);
    await afterCache();
    expect((await token(created.clientId, created.clientSecret)).status).toBe(401);
    expect((await get(fixture, '/users?limit=1', first.token)).status).toBe(401);
    const second = await token(created.clientId, rotated.clientSecret);
    expect(second.status).toBe(200);
    expect((await get(fixture, '/users?limit=1', second.token)).status).toBe(200);

    expect((await clients('revoke', created.clientId)).json).toEqual({
      clientId: created.clientId,
      revoked: true,
    });
    await afterCache();
    expect((await get(fixture, '/users?limit=1', second.token)).status).toBe(401);
    expect((await token(created.clientId, rotated.clientSecret)).status).toBe(401);

    const listed = (await clients('list')).json as Record<string, unknown>[];
    const entry = listed.find((client) => client.clientId === created.clientId);
    expect(entry?.name).toBe('Canvas');
    expect(entry?.scopes).toEqual([expect.stringContaining('roster.readonly')]);
    expect(typeof entry?.secretRotatedAt).toBe('string');
    expect(typeof entry?.revokedAt).toBe('string');
    expect(JSON.stringify(listed)).not.toContain(rotated.clientSecret);
    const again = await clients('revoke', created.clientId);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`no active client ${created.clientId}`);
  });
});
