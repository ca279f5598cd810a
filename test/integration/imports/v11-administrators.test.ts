import { jest } from '@jest/globals';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startReadableImportStack, type ReadableImportStack } from './support.js';

jest.setTimeout(120_000);

const csv = (rows: string[][]) =>
  rows.map((row) => row.map((cell) => `"${cell}"`).join(',')).join('\n') + '\n';

const USERS_V11 = [
  'sourcedId',
  'status',
  'dateLastModified',
  'enabledUser',
  'orgSourcedIds',
  'role',
  'username',
  'userIds',
  'givenName',
  'familyName',
  'middleName',
  'identifier',
  'email',
  'sms',
  'phone',
  'agentSourcedIds',
  'grades',
  'password',
];

const user = (id: string, orgs: string, role: string) => [
  id,
  '',
  '',
  'true',
  orgs,
  role,
  id,
  '',
  `Given ${id}`,
  `Family ${id}`,
  '',
  '',
  '',
  '',
  '',
  '',
  '',
  '',
];

/** A 1.1 package: a district, a school in it, and administrators at each (and at both). */
async function writeV11Package(dir: string, withOrgs: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'manifest.csv'),
    csv([
      ['propertyName', 'value'],
      ['manifest.version', '1.0'],
      ['oneroster.version', '1.1'],
      ['file.orgs', withOrgs ? 'bulk' : 'absent'],
      ['file.users', 'bulk'],
    ]),
  );
  if (withOrgs) {
    await writeFile(
      join(dir, 'orgs.csv'),
      csv([
        ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
        ['d1', '', '', 'District One', 'district', 'D1', ''],
        ['s1', '', '', 'School One', 'school', 'S1', 'd1'],
      ]),
    );
  }
  await writeFile(
    join(dir, 'users.csv'),
    csv([
      USERS_V11,
      user('superintendent', 'd1', 'administrator'),
      user('principal', 's1', 'administrator'),
      user('both', 'd1,s1', 'administrator'),
      user('teacher', 's1', 'teacher'),
    ]),
  );
}

let readable: ReadableImportStack;
let work: string;

beforeAll(async () => {
  readable = await startReadableImportStack();
  work = readable.work;
});

afterAll(() => readable.close());

async function importFolder(dir: string): Promise<void> {
  expect((await readable.importFolder(dir)).state).toBe('completed');
}

async function rolesOf(id: string): Promise<[string, string][]> {
  const answer = await readable.get(`/users/${id}`);
  expect(answer.status).toBe(200);
  const { roles } = (answer.body as { user: { roles: { role: string; org: { sourcedId: string } }[] } }).user;
  return roles.map((role) => [role.org.sourcedId, role.role]);
}

describe('OneRoster 1.1 administrators', () => {
  it('When a 1.1 package names administrators, then each becomes a district administrator at a district org and a site administrator at a school, whether the orgs come in the package or are already stored', async () => {
    await writeV11Package(join(work, 'with-orgs'), true);
    await importFolder(join(work, 'with-orgs'));
    expect(await rolesOf('superintendent')).toEqual([['d1', 'districtAdministrator']]);
    expect(await rolesOf('principal')).toEqual([['s1', 'siteAdministrator']]);
    expect(await rolesOf('both')).toEqual([
      ['d1', 'districtAdministrator'],
      ['s1', 'siteAdministrator'],
    ]);
    expect(await rolesOf('teacher')).toEqual([['s1', 'teacher']]);

    // users alone, against the orgs stored by the first package
    await writeV11Package(join(work, 'users-only'), false);
    await importFolder(join(work, 'users-only'));
    expect(await rolesOf('superintendent')).toEqual([['d1', 'districtAdministrator']]);
    expect(await rolesOf('principal')).toEqual([['s1', 'siteAdministrator']]);
  });
});
