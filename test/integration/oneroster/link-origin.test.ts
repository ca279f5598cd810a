import { request } from 'node:http';
import { ROSTERING_BASE } from '../../../api/services/endpoints.js';
import { startRosterFixture, type RosterFixture } from './fixture.js';

interface RawAnswer {
  status: number;
  link: string;
  text: string;
}

/** GET with headers fetch does not let a caller set (Host), as an attacker's client would send them. */
function rawGet(fixture: RosterFixture, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fixture.under.baseUrl}${ROSTERING_BASE}${path}`,
      { headers: { authorization: `Bearer ${fixture.key}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            link: String(res.headers.link ?? ''),
            text,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const hrefsOf = (answer: RawAnswer) =>
  [...answer.text.matchAll(/"href":"([^"]+)"/g)].map((match) => match[1]);

describe('The origin of hrefs and Link headers without PUBLIC_BASE_URL', () => {
  describe('when no proxy is trusted', () => {
    let fixture: RosterFixture;
    beforeAll(async () => {
      fixture = await startRosterFixture({ PUBLIC_BASE_URL: '' });
    });
    afterAll(() => fixture.close());

    it('When a caller sends its own Host and X-Forwarded-Host, then links use the address the request reached, and the next caller does not get the caller’s host from the cache', async () => {
      const own = fixture.under.baseUrl;
      const attacker = await rawGet(fixture, '/users?limit=2', {
        host: 'evil.example',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
      });
      expect(attacker.status).toBe(200);
      const hrefs = hrefsOf(attacker);
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) expect(href?.startsWith(`${own}/ims/oneroster/`)).toBe(true);
      expect(attacker.link).toContain(`<${own}${ROSTERING_BASE}/users?`);
      expect(attacker.link).not.toContain('evil.example');

      const next = await rawGet(fixture, '/users?limit=2', {});
      expect(next.text).not.toContain('evil.example');
      expect(hrefsOf(next)).toEqual(hrefs);
    });
  });

  describe('when the proxy in front (loopback here) is trusted', () => {
    let fixture: RosterFixture;
    beforeAll(async () => {
      fixture = await startRosterFixture({ PUBLIC_BASE_URL: '', TRUST_PROXY: 'loopback' });
    });
    afterAll(() => fixture.close());

    it('When the proxy forwards its origin, then links use it; a forwarded host that is no host falls back to the address reached', async () => {
      const forwarded = await rawGet(fixture, '/users?limit=2', {
        'x-forwarded-host': 'roster.district.example, internal.lb',
        'x-forwarded-proto': 'https',
      });
      expect(forwarded.status).toBe(200);
      for (const href of hrefsOf(forwarded)) {
        expect(href?.startsWith('https://roster.district.example/ims/oneroster/')).toBe(true);
      }
      expect(forwarded.link).toContain(`<https://roster.district.example${ROSTERING_BASE}/users?`);

      const malformed = await rawGet(fixture, '/users?limit=2', {
        'x-forwarded-host': 'evil.example/"><script>',
        'x-forwarded-proto': 'javascript',
      });
      expect(malformed.status).toBe(200);
      for (const href of hrefsOf(malformed)) {
        expect(href?.startsWith(`${fixture.under.baseUrl}/ims/oneroster/`)).toBe(true);
      }
    });
  });
});
