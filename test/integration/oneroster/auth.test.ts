/* eslint-disable @typescript-eslint/no-unsafe-assignment -- response bodies are parsed JSON */
import { ENDPOINTS, ROSTERING_BASE, SCOPES } from '../../../api/services/endpoints.js';
import { get, imsxError, startRosterFixture, type RosterFixture } from './fixture.js';

let fixture: RosterFixture;

beforeAll(async () => {
  fixture = await startRosterFixture({ AUTH_CACHE_MS: '0', TOKEN_TTL_SECONDS: '60' });
});

afterAll(async () => {
  await fixture.close();
});

async function token(
  clientId: string,
  clientSecret: string,
  form: Record<string, string> = { grant_type: 'client_credentials' },
  basic = true,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const body = new URLSearchParams(
    basic ? form : { ...form, client_id: clientId, client_secret: clientSecret },
  );
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic) headers.authorization = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const response = await fetch(`${fixture.under.baseUrl}/oauth/token`, { method: 'POST', headers, body });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    headers: response.headers,
  };
}

/** A concrete path for an endpoint, with ids that exist in the small district. */
function concrete(path: string): string {
  return path
    .replace(':sourcedId', 'x')
    .replace(':classSourcedId', 'class-000001')
    .replace(':schoolSourcedId', 'org-school-0001')
    .replace(':courseSourcedId', 'course-00001')
    .replace(':termSourcedId', 'as-2026-t1')
    .replace(':studentSourcedId', 'user-s0000001')
    .replace(':teacherSourcedId', 'user-t000001')
    .replace(':userSourcedId', 'user-s0000001');
}

describe('OAuth 2.0 client credentials', () => {
  it('When a client asks with HTTP Basic, then it gets an opaque bearer token with its scopes, not cached', async () => {
    const client = await fixture.admin.createClient('lms', 'roster.readonly');
    const answer = await token(client.clientId, client.clientSecret);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^rh_at_[0-9A-Za-z]{43}$/),
      token_type: 'bearer',
      expires_in: 60,
      scope: SCOPES.roster,
    });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(
      (await get(fixture, '/classes/class-000001/students', answer.body.access_token as string)).status,
    ).toBe(200);
  });

  it('When a client fetches a second token, then the first stays valid', async () => {
    const client = await fixture.admin.createClient('sync', 'roster-core.readonly');
    const first = (
      await token(client.clientId, client.clientSecret, { grant_type: 'client_credentials' }, false)
    ).body;
    const second = (await token(client.clientId, client.clientSecret)).body;
    expect(first.access_token).not.toBe(second.access_token);
    expect((await get(fixture, '/users?limit=1', first.access_token as string)).status).toBe(200);
    expect((await get(fixture, '/users?limit=1', second.access_token as string)).status).toBe(200);
  });

  it('When a client asks for a narrower scope, then the token carries only it; asking only for scopes it lacks is invalid_scope', async () => {
    const client = await fixture.admin.createClient('both', 'roster.readonly roster-demographics.readonly');
    const narrow = await token(client.clientId, client.clientSecret, {
      grant_type: 'client_credentials',
      scope: SCOPES.demographics,
    });
    expect(narrow.body.scope).toBe(SCOPES.demographics);
    expect((await get(fixture, '/users', narrow.body.access_token as string)).status).toBe(403);
    const denied = await token(client.clientId, client.clientSecret, {
      grant_type: 'client_credentials',
      scope: SCOPES.core,
    });
    expect(denied.status).toBe(400);
    expect(denied.body).toEqual({
      error: 'invalid_scope',
      error_description: `none of the requested scopes is granted to this client (requested: ${SCOPES.core}; granted to it: ${SCOPES.roster} ${SCOPES.demographics})`,
    });
  });

  it('When Google Classroom asks for roster and gradebook scopes in one request, then it gets the roster scope it was given, and the answer says so', async () => {
    const client = await fixture.admin.createClient('classroom', 'roster.readonly');
    const gradebook = (name: string) => `https://purl.imsglobal.org/spec/or/v1p2/scope/${name}`;
    const answer = await token(client.clientId, client.clientSecret, {
      grant_type: 'client_credentials',
      scope: [
        SCOPES.roster,
        gradebook('gradebook.readonly'),
        gradebook('gradebook.createput'),
        SCOPES.demographics,
      ].join(' '),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe(SCOPES.roster);
    const accessToken = answer.body.access_token as string;
    expect((await get(fixture, '/classes/class-000001/students', accessToken)).status).toBe(200);
    // demographics were asked for but never given to this client
    expect((await get(fixture, '/demographics', accessToken)).status).toBe(403);

    const onlyGradebook = await token(client.clientId, client.clientSecret, {
      grant_type: 'client_credentials',
      scope: gradebook('gradebook.readonly'),
    });
    expect(onlyGradebook.status).toBe(400);
    expect(onlyGradebook.body.error).toBe('invalid_scope');
  });

  it('When the secret is wrong, the client unknown or the grant unsupported, then the RFC 6749 errors come back', async () => {
    const client = await fixture.admin.createClient('x', 'roster.readonly');
    const wrong = await token(client.clientId, `${client.clientSecret}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="rosterhub"');
    expect((await token('nobody', 'nothing')).status).toBe(401);
    const grant = await token(client.clientId, client.clientSecret, { grant_type: 'password' });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
    expect((await token(client.clientId, client.clientSecret, {})).body.error).toBe('invalid_request');
  });
});

describe('scope enforcement on every endpoint', () => {
  it('When each endpoint is called with each single scope, then core takes core or roster, nested only roster, demographics only demographics', async () => {
    const keys = {
      core: (await fixture.admin.createKey('core', 'roster-core.readonly')).key,
      roster: (await fixture.admin.createKey('roster', 'roster.readonly')).key,
      demographics: (await fixture.admin.createKey('demo', 'roster-demographics.readonly')).key,
    };
    for (const endpoint of ENDPOINTS) {
      const path = concrete(endpoint.path);
      const allowed = {
        core: endpoint.scope === 'core',
        roster: endpoint.scope === 'core' || endpoint.scope === 'nested',
        demographics: endpoint.scope === 'demographics',
      };
      for (const [scope, key] of Object.entries(keys)) {
        const answer = await get(fixture, path, key);
        const expected = allowed[scope as keyof typeof allowed] ? [200, 404] : [403];
        expect({ path, scope, ok: expected.includes(answer.status) }).toEqual({ path, scope, ok: true });
        if (answer.status === 403) expect(answer.body).toEqual(imsxError('forbidden'));
      }
      const anonymous = await get(fixture, path, null);
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      expect(anonymous.body).toEqual(
        imsxError('unauthorisedrequest', 'an access token or API key is required'),
      );
    }
  });

  it('When the token is unknown, malformed or the header is not Bearer, then the answer is 401 unauthorisedrequest', async () => {
    expect((await get(fixture, '/users', 'rh_at_doesnotexist')).body).toEqual(
      imsxError('unauthorisedrequest', 'the access token is invalid or has expired'),
    );
    const response = await fetch(`${fixture.under.baseUrl}${ROSTERING_BASE}/users`, {
      headers: { authorization: 'Basic Zm9vOmJhcg==' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="rosterhub"');
    expect((await get(fixture, '/users', `rh_live_${'A'.repeat(12)}_${'b'.repeat(43)}`)).status).toBe(401);
  });
});

describe('API keys', () => {
  it('When a key is sent as Bearer or X-API-Key it works, and after revocation it is refused', async () => {
    const created = await fixture.admin.createKey('server', 'roster-core.readonly');
    expect(created.key).toMatch(/^rh_live_/);
    expect((await get(fixture, '/orgs', created.key)).status).toBe(200);
    const viaHeader = await fetch(`${fixture.under.baseUrl}${ROSTERING_BASE}/orgs`, {
      headers: { 'x-api-key': created.key },
    });
    expect(viaHeader.status).toBe(200);
    const listed = await fixture.admin.listKeys();
    expect(listed.find((key) => key.keyId === created.keyId)).toMatchObject({
      name: 'server',
      revokedAt: null,
    });
    expect(JSON.stringify(listed)).not.toContain(created.key.split('_')[3]);
    expect(await fixture.admin.revokeKey(created.keyId)).toBe(true);
    expect((await get(fixture, '/orgs', created.key)).status).toBe(401);
    const tampered = `${created.key.slice(0, -1)}${created.key.endsWith('a') ? 'b' : 'a'}`;
    expect((await get(fixture, '/orgs', tampered)).status).toBe(401);
  });
});

describe('logs', () => {
  it('When requests are authenticated, then access logs carry the client id and never a secret or token', async () => {
    const client = await fixture.admin.createClient('logged', 'roster.readonly');
    const issued = (await token(client.clientId, client.clientSecret)).body.access_token as string;
    await get(fixture, '/orgs', issued);
    await get(fixture, '/orgs', fixture.key);
    const lines = fixture.under.logLines();
    const access = lines.filter(
      (line) => line.route === `${ROSTERING_BASE}/orgs` && line.clientId === client.clientId,
    );
    expect(access.length).toBeGreaterThan(0);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(client.clientSecret);
    expect(text).not.toContain(issued);
    expect(text).not.toContain(fixture.key);
  });
});

describe('rate limiting', () => {
  it('When a client exceeds its limit, then it gets 429 server_busy with Retry-After, and other clients are unaffected', async () => {
    const limited = await startRosterFixture({ RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '3600' });
    try {
      const other = (await limited.admin.createKey('other', 'roster-core.readonly')).key;
      for (let i = 0; i < 3; i += 1) expect((await get(limited, '/orgs')).status).toBe(200);
      const refused = await get(limited, '/orgs');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual(imsxError('server_busy', 'too many requests; retry later'));
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect((await get(limited, '/orgs', other)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
