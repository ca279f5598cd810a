import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrate } from '../../../api/db/migrate.js';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict, type GeneratedDistrict } from '../../../api/generator/district.js';
import { postPackage, startReadableImportStack, waitForJob, zipFolder } from '../imports/support.js';
import { get, startRosterFixture } from './fixture.js';

jest.setTimeout(180_000);

/** Every sourcedId of the district (its own and the ones it refers to) through `rename`. */
function withIds(district: GeneratedDistrict, rename: (id: string) => string): GeneratedDistrict {
  const renamed = (value: unknown, key = ''): unknown => {
    if (typeof value === 'string') return /sourcedIds?$/i.test(key) ? rename(value) : value;
    if (Array.isArray(value)) return value.map((item) => renamed(item, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([field, item]) => [field, renamed(item, field)]));
    }
    return value;
  };
  const each = <T>(rows: () => Iterable<T>) =>
    function* (): Iterable<T> {
      for (const row of rows()) yield renamed(row) as T;
    };
  return {
    ...district,
    orgs: each(() => district.orgs()),
    academicSessions: each(() => district.academicSessions()),
    courses: each(() => district.courses()),
    classes: each(() => district.classes()),
    users: each(() => district.users()),
    enrollments: each(() => district.enrollments()),
    demographics: each(() => district.demographics()),
  };
}

interface GuidRef {
  href: string;
  sourcedId: string;
  type: string;
}

type Get = (path: string) => Promise<{ status: number; body: unknown }>;

/** A second bulk package leaves the first one's records tobedeleted. */
const ACTIVE = encodeURIComponent("status='active'");

/** GETs what an href points to, as a consumer follows it. */
async function follow(get: Get, ref: GuidRef): Promise<{ status: number; body: unknown }> {
  const url = new URL(ref.href);
  expect(url.origin).toBe('https://roster.example.org');
  return get(url.pathname.replace('/ims/oneroster/rostering/v1p2', ''));
}

/** Every GUIDRef of some classes, enrollments and orgs: encoded as `encodedPrefix` says, and leading to its record. */
async function expectHrefsEncoded(get: Get, encodedPrefix: string, limit = 3): Promise<void> {
  const classes = await get(`/classes?limit=${limit}&filter=${ACTIVE}`);
  expect(classes.status).toBe(200);
  const classList = (
    classes.body as { classes: { sourcedId: string; course: GuidRef; school: GuidRef; terms: GuidRef[] }[] }
  ).classes;
  expect(classList.length).toBe(limit);
  for (const klass of classList) {
    for (const ref of [klass.course, klass.school, ...klass.terms]) {
      const segment = ref.href.slice(ref.href.lastIndexOf('/') + 1);
      expect(segment.startsWith(encodedPrefix)).toBe(true);
      expect(decodeURIComponent(segment)).toBe(ref.sourcedId);
      const target = await follow(get, ref);
      expect(target.status).toBe(200);
      expect(Object.values(target.body as Record<string, { sourcedId: string }>)[0]?.sourcedId).toBe(
        ref.sourcedId,
      );
    }
    expect((await get(`/classes/${encodeURIComponent(klass.sourcedId)}`)).status).toBe(200);
  }
  const enrollments = await get(`/enrollments?limit=${limit}&filter=${ACTIVE}`);
  for (const enrollment of (enrollments.body as { enrollments: { user: GuidRef; class: GuidRef }[] })
    .enrollments) {
    for (const ref of [enrollment.user, enrollment.class]) {
      expect(ref.href.endsWith(`/${encodeURIComponent(ref.sourcedId)}`)).toBe(true);
      expect((await follow(get, ref)).status).toBe(200);
    }
  }
  // orgs are rendered per request, not stored
  const orgs = await get(`/orgs?limit=5&filter=${ACTIVE}`);
  const refs = (orgs.body as { orgs: { children?: GuidRef[]; parent?: GuidRef }[] }).orgs.flatMap((org) => [
    ...(org.children ?? []),
    ...(org.parent ? [org.parent] : []),
  ]);
  expect(refs.length).toBeGreaterThan(0);
  for (const ref of refs) expect(ref.href.endsWith(`/${encodeURIComponent(ref.sourcedId)}`)).toBe(true);
}

describe('GUIDRef hrefs of sourcedIds that are not URL-safe', () => {
  it('When an imported package has sourcedIds with slashes (allowed in CSV GUIDs), then every href percent-encodes them and leads to the record', async () => {
    const stack = await startReadableImportStack();
    const work = await mkdtemp(join(tmpdir(), 'rh-href-'));
    try {
      await writeCsvPackage(
        withIds(generateDistrict(SIZES.small, 1), (id) => `sis/2026/${id}`),
        work,
      );
      const posted = await postPackage(stack.stack, await zipFolder(work));
      expect(posted.status).toBe(202);
      expect((await waitForJob(stack.stack, posted.body.id)).state).toBe('completed');
      await expectHrefsEncoded(stack.get, 'sis%2F2026%2F');

      // A database an earlier release wrote (ids verbatim in stored hrefs) is mended by migrating.
      const client = new pg.Client({ connectionString: stack.stack.database.url });
      await client.connect();
      try {
        for (const table of ['classes', 'enrollments']) {
          const { rowCount } = await client.query(
            `update ${table} set doc = replace(doc, 'sis%2F2026%2F', 'sis/2026/')`,
          );
          expect(rowCount).toBeGreaterThan(0);
        }
      } finally {
        await client.end();
      }
      const { database } = stack.stack.under.api;
      await database.orm.migrator.down({ to: '0007-import-packages' });
      expect(await migrate(database, stack.stack.database.url)).toContain('0008-percent-encoded-hrefs');
      // other pages than before: the response cache holds the first ones
      await expectHrefsEncoded(stack.get, 'sis%2F2026%2F', 4);
    } finally {
      await stack.close();
      await rm(work, { recursive: true, force: true });
    }
  });

  it('When stored sourcedIds hold spaces, accents and reserved characters (written by other means than CSV), then hrefs percent-encode them too', async () => {
    const fixture = await startRosterFixture(
      {},
      withIds(generateDistrict(SIZES.small, 1), (id) => `É ${id}?#%`),
    );
    try {
      await expectHrefsEncoded(async (path) => {
        const answer = await get(fixture, path);
        return { status: answer.status, body: answer.body as unknown };
      }, '%C3%89%20');
    } finally {
      await fixture.close();
    }
  });
});
