/* eslint-disable @typescript-eslint/no-unsafe-member-access -- response bodies are parsed JSON */
import { get, startRosterFixture, type RosterFixture } from './fixture.js';

let fixture: RosterFixture;

beforeAll(async () => {
  // a small stride and maximum so that page boundaries and clamping show on the small district
  fixture = await startRosterFixture({ PAGE_INDEX_STRIDE: '10', MAX_PAGE_SIZE: '250' });
});

afterAll(async () => {
  await fixture.close();
});

interface Row {
  sourcedId: string;
  familyName?: string;
  dateLastModified?: string;
}

async function rows(query: string): Promise<Row[]> {
  const answer = await get(fixture, `/users?${query}`);
  expect(answer.status).toBe(200);
  return answer.body.users as Row[];
}

describe('paging, sorting and field selection', () => {
  it('When no limit is given, then 100 users come back with X-Total-Count and first/next/last links', async () => {
    const answer = await get(fixture, '/users?fields=sourcedId');
    expect(answer.body.users).toHaveLength(100);
    expect(answer.headers.get('x-total-count')).toBe('600');
    const base = 'https://roster.example.org/ims/oneroster/rostering/v1p2/users';
    expect(answer.headers.get('link')).toBe(
      `<${base}?fields=sourcedId&limit=100&offset=0>; rel="first", <${base}?fields=sourcedId&limit=100&offset=100>; rel="next", <${base}?fields=sourcedId&limit=100&offset=500>; rel="last"`,
    );
  });

  it('When the limit is above the maximum, then the page is clamped to the maximum', async () => {
    const answer = await get(fixture, '/users?limit=100000&fields=sourcedId');
    expect(answer.body.users).toHaveLength(250);
    expect(answer.headers.get('link')).toContain('limit=250&offset=250>; rel="next"');
  });

  it('When the offset is past the end, then the list is empty with the total and a prev link', async () => {
    const answer = await get(fixture, '/users?offset=5000&limit=10');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ users: [] });
    expect(answer.headers.get('x-total-count')).toBe('600');
    expect(answer.headers.get('link')).toContain('offset=590>; rel="prev"');
    expect(answer.headers.get('link')).not.toContain('rel="next"');
  });

  it('When every page is walked with limit and offset, then each user appears exactly once in sourcedId order', async () => {
    const all: string[] = [];
    for (let offset = 0; offset < 600; offset += 37)
      all.push(...(await rows(`limit=37&offset=${offset}&fields=sourcedId`)).map((r) => r.sourcedId));
    expect(all).toHaveLength(600);
    expect(all).toEqual([...all].sort());
    expect(new Set(all).size).toBe(600);
  });

  it('When deep offsets are served through page boundary keys, then they equal a plain walk for every sort', async () => {
    for (const sort of [
      '',
      '&sort=familyName',
      '&sort=familyName&orderBy=desc',
      '&sort=dateLastModified&orderBy=desc',
    ]) {
      const reference: string[] = [];
      for (const offset of [0, 250, 500])
        reference.push(
          ...(await rows(`limit=250&offset=${offset}&fields=sourcedId${sort}`)).map((r) => r.sourcedId),
        );
      expect(reference).toHaveLength(600);
      for (const offset of [10, 11, 19, 20, 99, 101, 333, 499]) {
        const page = (await rows(`limit=7&offset=${offset}&fields=sourcedId${sort}`)).map((r) => r.sourcedId);
        expect({ sort, offset, page }).toEqual({ sort, offset, page: reference.slice(offset, offset + 7) });
      }
    }
  });

  it('When sorted by familyName ascending or descending, then the order holds with sourcedId breaking ties', async () => {
    const ascending = await rows('limit=250&sort=familyName&fields=sourcedId,familyName');
    for (let i = 1; i < ascending.length; i += 1) {
      const [a, b] = [ascending[i - 1]!, ascending[i]!];
      expect(
        a.familyName! < b.familyName! || (a.familyName === b.familyName && a.sourcedId < b.sourcedId),
      ).toBe(true);
    }
    const descending = await rows(
      'limit=5&sort=dateLastModified&orderBy=desc&fields=sourcedId,dateLastModified',
    );
    const dates = descending.map((r) => r.dateLastModified!);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('When fields are selected, then only those keys come back, on collections and single objects alike', async () => {
    const page = await rows('limit=3&fields=givenName,sourcedId&fields=roles');
    for (const user of page) expect(Object.keys(user).sort()).toEqual(['givenName', 'roles', 'sourcedId']);
    const single = await get(fixture, '/classes/class-000001?fields=title,school');
    expect(Object.keys(single.body.class as object)).toEqual(['title', 'school']);
  });
});
