import { jest } from '@jest/globals';
import { SIZES, generateDistrict, type GeneratedDistrict } from '../../../api/generator/district.js';
import type { Problem } from '../../../api/imports/problems.js';
import { startReadableImportStack, type ReadableImportStack } from './support.js';

jest.setTimeout(180_000);

const district = generateDistrict(SIZES.small, 1);
const school = [...district.orgs()].find((org) => org.type === 'school' && org.status === 'active')!;
const course = [...district.courses()].find((row) => row.status === 'active')!;
const roleless = [...district.users()].find((user) => user.status === 'active' && user.roles.length > 0)!;

/** The district with some rows changed as `edit` says. */
function edited(edit: {
  orgs?: (row: ReturnType<GeneratedDistrict['orgs']> extends Iterable<infer T> ? T : never) => unknown;
  courses?: (row: ReturnType<GeneratedDistrict['courses']> extends Iterable<infer T> ? T : never) => unknown;
  users?: (row: ReturnType<GeneratedDistrict['users']> extends Iterable<infer T> ? T : never) => unknown;
}): GeneratedDistrict {
  return {
    ...district,
    *orgs() {
      for (const row of district.orgs()) yield (edit.orgs?.(row) as typeof row | undefined) ?? row;
    },
    *courses() {
      for (const row of district.courses()) yield (edit.courses?.(row) as typeof row | undefined) ?? row;
    },
    *users() {
      for (const row of district.users()) yield (edit.users?.(row) as typeof row | undefined) ?? row;
    },
  };
}

let stack: ReadableImportStack;

beforeAll(async () => {
  stack = await startReadableImportStack();
});

afterAll(() => stack.close());

const importDistrict = (source: GeneratedDistrict, name: string) => stack.importDistrict(source, name);

const report = (job: Awaited<ReturnType<typeof importDistrict>>) =>
  (job.result as unknown as { report: { errors: Problem[]; warnings: Problem[] } }).report;

describe('Records satisfy the OneRoster 1.2 REST schema', () => {
  it('When orgs.csv and courses.csv leave identifier and courseCode blank (CSV allows it, REST does not), then the import fills them with the sourcedId and says so', async () => {
    const job = await importDistrict(
      edited({
        orgs: (row) => (row.sourcedId === school.sourcedId ? { ...row, identifier: undefined } : undefined),
        courses: (row) =>
          row.sourcedId === course.sourcedId ? { ...row, courseCode: undefined } : undefined,
      }),
      'blanks',
    );
    expect(job.state).toBe('completed');
    const warnings = report(job).warnings.filter((warning) => warning.rule === 'rest-required-blank');
    expect(warnings.map(({ file, column }) => `${file} ${column}`).sort()).toEqual([
      'courses.csv courseCode',
      'orgs.csv identifier',
    ]);
    expect(warnings[0]?.line).toBeGreaterThan(1);
    expect(warnings[0]?.message).toContain('filled with its sourcedId');

    const org = (await stack.get(`/orgs/${school.sourcedId}`)).body as { org: { identifier: string } };
    expect(org.org.identifier).toBe(school.sourcedId);
    const stored = (await stack.get(`/courses/${course.sourcedId}`)).body as {
      course: { courseCode: string };
    };
    expect(stored.course.courseCode).toBe(course.sourcedId);
  });

  it('When a 1.2 package has an active user without any role, then it is refused naming the user’s line, and nothing is applied', async () => {
    const before = (await stack.get(`/users/${roleless.sourcedId}`)).body;
    const job = await importDistrict(
      edited({
        users: (row) =>
          row.sourcedId === roleless.sourcedId ? { ...row, givenName: 'Changed', roles: [] } : undefined,
      }),
      'roleless',
    );
    expect(job.state).toBe('rejected');
    const errors = report(job).errors.filter((error) => error.rule === 'user-without-role');
    expect(errors).toEqual([
      expect.objectContaining({ file: 'users.csv', column: 'sourcedId', value: roleless.sourcedId }),
    ]);
    expect(errors[0]?.line).toBeGreaterThan(1);
    expect((await stack.get(`/users/${roleless.sourcedId}`)).body).toEqual(before);
  });
});
