import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeCsvPackage } from '../../../api/generator/csv.js';
import { SIZES, generateDistrict } from '../../../api/generator/district.js';
import { USER_ROLES } from '../../../api/imports/file-specs.js';

async function readCsv(dir: string, file: string): Promise<Record<string, string>[]> {
  return parse<Record<string, string>>(await readFile(join(dir, `${file}.csv`), 'utf8'), { columns: true });
}

describe('the generator’s bulk package', () => {
  it('When the small district is written as a bulk package, then it is semantically complete: every reference names a record in the package and every role is a 1.2 role', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rh-gen-'));
    try {
      await writeCsvPackage(generateDistrict(SIZES.small, 1), dir);
      const ids = async (file: string): Promise<Set<string>> =>
        new Set((await readCsv(dir, file)).map((row) => row.sourcedId ?? ''));
      const users = await ids('users');
      const classes = await ids('classes');
      const orgs = await ids('orgs');
      const missing: string[] = [];
      const expectIn = (set: Set<string>, value: string | undefined, where: string): void => {
        if (value === undefined || !set.has(value)) missing.push(`${where}: ${value ?? '(none)'}`);
      };
      for (const row of await readCsv(dir, 'enrollments')) {
        expectIn(classes, row.classSourcedId, 'enrollment class');
        expectIn(users, row.userSourcedId, 'enrollment user');
        expectIn(orgs, row.schoolSourcedId, 'enrollment school');
      }
      for (const row of await readCsv(dir, 'demographics')) expectIn(users, row.sourcedId, 'demographics');
      for (const row of await readCsv(dir, 'roles')) {
        expectIn(users, row.userSourcedId, 'role user');
        expect(USER_ROLES).toContain(row.role);
      }
      for (const row of await readCsv(dir, 'users'))
        for (const agent of (row.agentSourcedIds ?? '').split(',').filter((a) => a !== ''))
          expectIn(users, agent, 'agent');
      expect(missing).toEqual([]);
      // the district does have tobedeleted users and classes, left out of the bulk files
      const district = generateDistrict(SIZES.small, 1);
      expect([...district.users()].filter((u) => u.status === 'tobedeleted').length).toBeGreaterThan(0);
      expect(users.size).toBeLessThan(SIZES.small.users);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
