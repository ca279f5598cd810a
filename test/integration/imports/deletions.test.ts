import { jest } from '@jest/globals';
import pg from 'pg';
import { migrate } from '../../../api/db/migrate.js';
import {
  SIZES,
  generateDistrict,
  type GeneratedDistrict,
  type GenRef,
} from '../../../api/generator/district.js';
import { ENDPOINTS } from '../../../api/services/endpoints.js';
import { startReadableImportStack, type ReadableImportStack } from './support.js';

jest.setTimeout(180_000);

interface Listed {
  sourcedId: string;
  status: string;
  user?: { sourcedId: string };
  class?: { sourcedId: string };
}

const district = generateDistrict(SIZES.small, 1);
const enrollments = [...district.enrollments()].filter((row) => row.status === 'active');
const classes = [...district.classes()].filter((row) => row.status === 'active');
const studentsOf = (klass: string) =>
  enrollments
    .filter((row) => row.classSourcedId === klass && row.role === 'student')
    .map((row) => row.userSourcedId);

// A class C to delete (a teacher T teaches it), a student S of another class C2, a course K.
const deletedClass = classes.find((row) => studentsOf(row.sourcedId).length > 1)!;
const teacher = enrollments.find(
  (row) => row.classSourcedId === deletedClass.sourcedId && row.role === 'teacher',
)!.userSourcedId;
const keptClass = classes.find(
  (row) =>
    row.sourcedId !== deletedClass.sourcedId &&
    row.courseSourcedId !== deletedClass.courseSourcedId &&
    studentsOf(row.sourcedId).some((student) => !studentsOf(deletedClass.sourcedId).includes(student)),
)!;
const student = studentsOf(keptClass.sourcedId).find(
  (id) => !studentsOf(deletedClass.sourcedId).includes(id),
)!;
const deletedCourse = classes.find(
  (row) =>
    row.courseSourcedId !== keptClass.courseSourcedId && row.courseSourcedId !== deletedClass.courseSourcedId,
)!.courseSourcedId;

/** A delta package of the district's rows that `pick` names, each marked tobedeleted. */
function deletionsOf(pick: (file: string, row: GenRef) => boolean): GeneratedDistrict {
  const only = <T extends GenRef>(file: string, rows: () => Iterable<T>) =>
    function* (): Iterable<T> {
      for (const row of rows()) {
        if (pick(file, row))
          yield { ...row, status: 'tobedeleted', dateLastModified: '2026-11-01T00:00:00.000Z' };
      }
    };
  return {
    ...district,
    orgs: only('orgs', () => district.orgs()),
    academicSessions: only('academicSessions', () => district.academicSessions()),
    courses: only('courses', () => district.courses()),
    classes: only('classes', () => district.classes()),
    users: only('users', () => district.users()),
    enrollments: only('enrollments', () => district.enrollments()),
    demographics: only('demographics', () => district.demographics()),
  };
}

/** Values for each path parameter of the nested endpoints: deleted records and kept ones. */
const PARAMS: Record<string, string[]> = {
  classSourcedId: [deletedClass.sourcedId, keptClass.sourcedId],
  schoolSourcedId: [keptClass.schoolSourcedId],
  courseSourcedId: [deletedCourse, keptClass.courseSourcedId],
  studentSourcedId: [student, studentsOf(keptClass.sourcedId).find((id) => id !== student)!],
  teacherSourcedId: [teacher],
  termSourcedId: keptClass.termSourcedIds,
  userSourcedId: [student, teacher],
};

function pathsOf(template: string): string[] {
  const names = [...template.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  let paths = [template];
  for (const name of names) {
    paths = paths.flatMap((path) =>
      (PARAMS[name] ?? []).map((value) => path.replace(`:${name}`, encodeURIComponent(value))),
    );
  }
  return paths;
}

let stack: ReadableImportStack;

beforeAll(async () => {
  stack = await startReadableImportStack();
});

afterAll(() => stack.close());

async function importPackage(source: GeneratedDistrict, name: string, mode: 'bulk' | 'delta'): Promise<void> {
  const job = await stack.importDistrict(source, name, mode);
  expect(job.state === 'completed' ? job.state : JSON.stringify(job.result).slice(0, 800)).toBe('completed');
}

async function list(path: string, limit = 1000): Promise<{ status: number; items: Listed[] }> {
  const answer = await stack.get(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}`);
  const body = answer.body as Record<string, Listed[]>;
  return { status: answer.status, items: answer.status === 200 ? (Object.values(body)[0] ?? []) : [] };
}

const ids = (items: Listed[]) => items.map((item) => item.sourcedId);

describe('Deletions reach rosters', () => {
  it('When a delta file marks a user, a class and a course tobedeleted, then no nested endpoint lists them or what depends on them as active, and their enrollments and classes become tobedeleted', async () => {
    await importPackage(district, 'bulk', 'bulk');
    // what the deletions will change
    expect(ids((await list(`/classes/${encodeURIComponent(keptClass.sourcedId)}/students`)).items)).toContain(
      student,
    );
    expect(ids((await list(`/teachers/${encodeURIComponent(teacher)}/classes`)).items)).toContain(
      deletedClass.sourcedId,
    );
    expect(
      (await list(`/courses/${encodeURIComponent(deletedCourse)}/classes`)).items.length,
    ).toBeGreaterThan(0);

    await importPackage(
      deletionsOf(
        (file, row) =>
          (file === 'users' && row.sourcedId === student) ||
          (file === 'classes' && row.sourcedId === deletedClass.sourcedId) ||
          (file === 'courses' && row.sourcedId === deletedCourse),
      ),
      'delta',
      'delta',
    );

    const nested = ENDPOINTS.filter((endpoint) => endpoint.scope === 'nested');
    expect(nested.length).toBe(17);
    let answered = 0;
    for (const endpoint of nested) {
      for (const path of pathsOf(endpoint.path)) {
        const { status, items } = await list(path);
        if (status === 404) continue;
        expect([path, status]).toEqual([path, 200]);
        answered += 1;
        for (const item of items) {
          expect([path, item.sourcedId, item.status]).toEqual([path, item.sourcedId, 'active']);
          expect([path, item.sourcedId]).not.toEqual([path, student]);
          expect([path, item.user?.sourcedId]).not.toEqual([path, student]);
          expect([path, item.class?.sourcedId]).not.toEqual([path, deletedClass.sourcedId]);
        }
      }
    }
    expect(answered).toBeGreaterThan(20);

    // the dependents are tobedeleted themselves, as a consumer syncing by dateLastModified sees
    const active = encodeURIComponent("status='active'");
    for (const enrollment of (await list(`/enrollments?filter=${active}`, 5000)).items) {
      expect(enrollment.user?.sourcedId).not.toBe(student);
      expect(enrollment.class?.sourcedId).not.toBe(deletedClass.sourcedId);
    }
    const ofStudent = enrollments.find((row) => row.userSourcedId === student)!;
    const stored = (await stack.get(`/enrollments/${encodeURIComponent(ofStudent.sourcedId)}`)).body as {
      enrollment: { status: string; dateLastModified: string };
    };
    expect(stored.enrollment.status).toBe('tobedeleted');
    const ofCourse = classes.find((row) => row.courseSourcedId === deletedCourse)!;
    const klass = (await stack.get(`/classes/${encodeURIComponent(ofCourse.sourcedId)}`)).body as {
      class: { status: string };
    };
    expect(klass.class.status).toBe('tobedeleted');

    // Data an earlier release stored (an active enrollment of a deleted user) is mended by migrating.
    const client = new pg.Client({ connectionString: stack.stack.database.url });
    await client.connect();
    try {
      const revived = await client.query(
        `update enrollments set status = 'active' where user_sourced_id = $1`,
        [student],
      );
      expect(revived.rowCount).toBeGreaterThan(0);
      const { database } = stack.stack.under.api;
      await database.orm.migrator.down({ to: '0008-percent-encoded-hrefs' });
      expect(await migrate(database, stack.stack.database.url)).toContain('0009-deletions-reach-dependents');
      const left = await client.query(
        `select count(*)::int as n from enrollments where user_sourced_id = $1 and status = 'active'`,
        [student],
      );
      expect(left.rows[0]).toEqual({ n: 0 });
    } finally {
      await client.end();
    }
  });
});
