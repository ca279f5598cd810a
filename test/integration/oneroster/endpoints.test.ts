/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument -- response bodies are parsed JSON */
import type { GenEnrollment } from '../../../api/generator/district.js';
import { ENDPOINTS } from '../../../api/services/endpoints.js';
import { RESOURCES } from '../../../api/services/resources.js';
import { HREF, get, guidRef, imsxError, startRosterFixture, type RosterFixture } from './fixture.js';

let fixture: RosterFixture;
let enrollments: GenEnrollment[];

beforeAll(async () => {
  fixture = await startRosterFixture();
  enrollments = [...fixture.district.enrollments()];
});

afterAll(async () => {
  await fixture.close();
});

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

function idsOf(body: Record<string, { sourcedId: string }[]>, key: string): string[] {
  return body[key]!.map((item) => item.sourcedId);
}

const TERM = 'as-2026-t1';
// Picked from the generated data (the first active class with an active teacher and students,
// and one of its students), so the test does not depend on which rows the generator retires.
let SCHOOL = '';
let CLASS = '';
let COURSE = '';
let STUDENT = '';

beforeAll(() => {
  const active = enrollments.filter((e) => e.status === 'active');
  const klass = [...fixture.district.classes()].find(
    (c) =>
      c.status === 'active' &&
      active.some((e) => e.classSourcedId === c.sourcedId && e.role === 'teacher') &&
      active.some((e) => e.classSourcedId === c.sourcedId && e.role === 'student'),
  )!;
  CLASS = klass.sourcedId;
  SCHOOL = klass.schoolSourcedId;
  COURSE = klass.courseSourcedId;
  STUDENT = active.find((e) => e.classSourcedId === CLASS && e.role === 'student')!.userSourcedId;
});

describe('every OneRoster 1.2 rostering endpoint', () => {
  it('When each of the 41 endpoints is called, then it answers 200 with its envelope and exactly the expected objects', async () => {
    const d = fixture.district;
    const users = [...d.users()];
    const classes = [...d.classes()];
    const sessions = [...d.academicSessions()];
    const active = enrollments.filter((e) => e.status === 'active');
    const teacherOfClass = active.find(
      (e) => e.classSourcedId === CLASS && e.role === 'teacher',
    )!.userSourcedId;
    const hasRole = (role: string, org?: string) =>
      users
        .filter((u) => u.roles.some((r) => r.role === role && (org === undefined || r.orgSourcedId === org)))
        .map((u) => u.sourcedId);
    const inClass = (klass: string, role: string) =>
      active.filter((e) => e.classSourcedId === klass && e.role === role).map((e) => e.userSourcedId);
    const classesOf = (user: string, role?: string) =>
      active
        .filter((e) => e.userSourcedId === user && (role === undefined || e.role === role))
        .map((e) => e.classSourcedId);
    const schoolClassTerms = classes
      .filter((c) => c.schoolSourcedId === SCHOOL)
      .flatMap((c) => c.termSourcedIds);
    const cases: [string, string, string[]][] = [
      ['/academicSessions', 'academicSessions', sessions.map((s) => s.sourcedId)],
      [`/academicSessions/${TERM}`, 'academicSession', [TERM]],
      [
        '/gradingPeriods',
        'academicSessions',
        sessions.filter((s) => s.type === 'gradingPeriod').map((s) => s.sourcedId),
      ],
      [`/gradingPeriods/${TERM}-gp1`, 'academicSession', [`${TERM}-gp1`]],
      ['/terms', 'academicSessions', sessions.filter((s) => s.type === 'term').map((s) => s.sourcedId)],
      [`/terms/${TERM}`, 'academicSession', [TERM]],
      ['/classes', 'classes', classes.map((c) => c.sourcedId)],
      [`/classes/${CLASS}`, 'class', [CLASS]],
      ['/courses', 'courses', [...d.courses()].map((c) => c.sourcedId)],
      [`/courses/${COURSE}`, 'course', [COURSE]],
      ['/enrollments', 'enrollments', enrollments.map((e) => e.sourcedId)],
      [`/enrollments/enr-${CLASS}-t`, 'enrollment', [`enr-${CLASS}-t`]],
      ['/orgs', 'orgs', [...d.orgs()].map((o) => o.sourcedId)],
      [`/orgs/org-district`, 'org', ['org-district']],
      ['/schools', 'orgs', [...d.orgs()].filter((o) => o.type === 'school').map((o) => o.sourcedId)],
      [`/schools/${SCHOOL}`, 'org', [SCHOOL]],
      ['/users', 'users', users.map((u) => u.sourcedId)],
      [`/users/${STUDENT}`, 'user', [STUDENT]],
      ['/students', 'users', hasRole('student')],
      [`/students/${STUDENT}`, 'user', [STUDENT]],
      ['/teachers', 'users', hasRole('teacher')],
      [`/teachers/${teacherOfClass}`, 'user', [teacherOfClass]],
      ['/demographics', 'demographics', [...d.demographics()].map((x) => x.sourcedId)],
      [`/demographics/${STUDENT}`, 'demographics', [STUDENT]],
      [`/classes/${CLASS}/students`, 'users', inClass(CLASS, 'student')],
      [`/classes/${CLASS}/teachers`, 'users', inClass(CLASS, 'teacher')],
      [
        `/courses/${COURSE}/classes`,
        'classes',
        classes.filter((c) => c.courseSourcedId === COURSE).map((c) => c.sourcedId),
      ],
      [
        `/schools/${SCHOOL}/classes`,
        'classes',
        classes.filter((c) => c.schoolSourcedId === SCHOOL).map((c) => c.sourcedId),
      ],
      [`/students/${STUDENT}/classes`, 'classes', classesOf(STUDENT, 'student')],
      [`/teachers/${teacherOfClass}/classes`, 'classes', classesOf(teacherOfClass, 'teacher')],
      [
        `/terms/${TERM}/classes`,
        'classes',
        classes.filter((c) => c.termSourcedIds.includes(TERM)).map((c) => c.sourcedId),
      ],
      [`/users/${STUDENT}/classes`, 'classes', classesOf(STUDENT)],
      [
        `/schools/${SCHOOL}/classes/${CLASS}/enrollments`,
        'enrollments',
        enrollments
          .filter((e) => e.classSourcedId === CLASS && e.schoolSourcedId === SCHOOL)
          .map((e) => e.sourcedId),
      ],
      [
        `/schools/${SCHOOL}/enrollments`,
        'enrollments',
        enrollments.filter((e) => e.schoolSourcedId === SCHOOL).map((e) => e.sourcedId),
      ],
      [`/schools/${SCHOOL}/classes/${CLASS}/students`, 'users', inClass(CLASS, 'student')],
      [`/schools/${SCHOOL}/classes/${CLASS}/teachers`, 'users', inClass(CLASS, 'teacher')],
      [`/schools/${SCHOOL}/students`, 'users', hasRole('student', SCHOOL)],
      [`/schools/${SCHOOL}/teachers`, 'users', hasRole('teacher', SCHOOL)],
      [
        `/schools/${SCHOOL}/courses`,
        'courses',
        [...d.courses()].filter((c) => c.orgSourcedId === SCHOOL).map((c) => c.sourcedId),
      ],
      [
        `/schools/${SCHOOL}/terms`,
        'academicSessions',
        sessions
          .filter((s) => s.type === 'term' && schoolClassTerms.includes(s.sourcedId))
          .map((s) => s.sourcedId),
      ],
      [
        `/terms/${TERM}/gradingPeriods`,
        'academicSessions',
        sessions.filter((s) => s.parentSourcedId === TERM).map((s) => s.sourcedId),
      ],
    ];
    expect(cases).toHaveLength(ENDPOINTS.length);
    const statusOf = new Map<string, string>(
      [d.orgs(), d.academicSessions(), d.courses(), d.classes(), d.users(), d.enrollments()].flatMap((rows) =>
        [...rows].map((row) => [row.sourcedId, row.status] as const),
      ),
    );
    for (const [path, key, all] of cases) {
      // singles are exactly /collection/{sourcedId}; nested paths are longer, and list active records only
      const single = path.split('/').length === 3;
      const nested = path.split('/').length > 3;
      const expected = nested ? all.filter((id) => statusOf.get(id) === 'active') : all;
      const answer = await get(fixture, single ? path : `${path}?limit=10000`);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      expect(Object.keys(answer.body as object)).toEqual([key]);
      if (single) {
        expect((answer.body as Record<string, { sourcedId: string }>)[key]!.sourcedId).toBe(expected[0]);
      } else {
        expect({ path, ids: idsOf(answer.body, key) }).toEqual({ path, ids: sorted(expected) });
        expect({ path, total: answer.headers.get('x-total-count') }).toEqual({
          path,
          total: String(new Set(expected).size),
        });
        expect(expected.length).toBeGreaterThan(0);
      }
    }
  });

  it('When a user is read, then it has the 1.2 shape: string booleans, roles with org GUIDRefs, userIds, agents and preferred names', async () => {
    const user = [...fixture.district.users()].find(
      (u) => u.preferredFirstName && u.agentSourcedIds.length > 0,
    )!;
    const { status, body } = await get(fixture, `/users/${user.sourcedId}`);
    expect(status).toBe(200);
    const expected: Record<string, unknown> = {
      sourcedId: user.sourcedId,
      status: user.status,
      dateLastModified: user.dateLastModified,
      userMasterIdentifier: user.userMasterIdentifier,
      username: user.username,
      userIds: user.userIds,
      enabledUser: String(user.enabledUser),
      givenName: user.givenName,
      familyName: user.familyName,
      preferredFirstName: user.preferredFirstName,
      roles: user.roles.map((role) => ({
        roleType: role.roleType,
        role: role.role,
        org: guidRef('org', 'orgs', role.orgSourcedId),
      })),
      primaryOrg: guidRef('org', 'orgs', user.primaryOrgSourcedId),
      identifier: user.identifier,
      email: user.email,
      agents: user.agentSourcedIds.map((id) => guidRef('user', 'users', id)),
      grades: user.grades,
    };
    if (user.middleName) expected.middleName = user.middleName;
    if (user.pronouns) expected.pronouns = user.pronouns;
    if (user.phone) expected.phone = user.phone;
    expect(body).toEqual({ user: expected });
  });

  it('When a class, an enrollment, an org, a session, a course and demographics are read, then each has its exact JSON shape', async () => {
    const klass = [...fixture.district.classes()][0]!;
    expect((await get(fixture, `/classes/${klass.sourcedId}`)).body).toEqual({
      class: {
        sourcedId: klass.sourcedId,
        status: klass.status,
        dateLastModified: klass.dateLastModified,
        title: klass.title,
        classCode: klass.classCode,
        classType: klass.classType,
        location: klass.location,
        grades: klass.grades,
        subjects: klass.subjects,
        course: guidRef('course', 'courses', klass.courseSourcedId),
        school: guidRef('org', 'orgs', klass.schoolSourcedId),
        terms: klass.termSourcedIds.map((id) => guidRef('academicSession', 'academicSessions', id)),
        subjectCodes: klass.subjectCodes,
        periods: klass.periods,
      },
    });
    const enrollment = enrollments.find((e) => e.role === 'teacher')!;
    expect((await get(fixture, `/enrollments/${enrollment.sourcedId}`)).body).toEqual({
      enrollment: {
        sourcedId: enrollment.sourcedId,
        status: enrollment.status,
        dateLastModified: enrollment.dateLastModified,
        user: guidRef('user', 'users', enrollment.userSourcedId),
        class: guidRef('class', 'classes', enrollment.classSourcedId),
        school: guidRef('org', 'orgs', enrollment.schoolSourcedId),
        role: 'teacher',
        primary: 'true',
        beginDate: '2025-08-15',
        endDate: '2026-06-15',
      },
    });
    const district = (await get(fixture, '/orgs/org-district')).body as { org: Record<string, unknown> };
    expect(district.org).toMatchObject({
      sourcedId: 'org-district',
      type: 'district',
      name: 'Unified School District',
      identifier: '0600001',
    });
    expect(district.org.children).toEqual(
      ['org-school-0001', 'org-school-0002', 'org-school-0003'].map((id) => guidRef('org', 'orgs', id)),
    );
    expect(district.org).not.toHaveProperty('parent');
    expect((await get(fixture, `/terms/${TERM}/gradingPeriods`)).body.academicSessions[0]).toEqual({
      sourcedId: `${TERM}-gp1`,
      status: 'active',
      dateLastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      title: 'Fall 2025 Quarter 1',
      startDate: '2025-08-15',
      endDate: '2025-10-20',
      type: 'gradingPeriod',
      parent: { href: `${HREF}/academicSessions/${TERM}`, sourcedId: TERM, type: 'academicSession' },
      schoolYear: '2026',
    });
    const course = (await get(fixture, `/courses/${COURSE}`)).body.course as Record<string, unknown>;
    expect(course).toMatchObject({
      schoolYear: guidRef('academicSession', 'academicSessions', 'as-2026'),
      org: guidRef('org', 'orgs', SCHOOL),
      courseCode: expect.any(String),
    });
    const demographics = (await get(fixture, `/demographics/${STUDENT}`)).body.demographics as Record<
      string,
      unknown
    >;
    expect(demographics).toMatchObject({
      sourcedId: STUDENT,
      birthDate: expect.stringMatching(/^\d{4}-\d\d-\d\d$/),
      white: expect.stringMatching(/^(true|false)$/),
    });
  });

  it('When every field is selected explicitly, then the answer equals the stored rendering of each resource', async () => {
    for (const resource of ['users', 'classes', 'courses', 'enrollments', 'demographics'] as const) {
      const all = RESOURCES[resource].fields.map((field) => field.name).join(',');
      const stored = await get(fixture, `/${resource}?limit=50&offset=40`);
      const built = await get(fixture, `/${resource}?limit=50&offset=40&fields=${all}`);
      expect(built.body).toEqual(stored.body);
    }
  });

  it('When a single object does not exist or is of another kind, then the answer is 404 unknownobject', async () => {
    for (const path of [
      '/users/nobody',
      '/classes/nope',
      '/schools/org-district',
      '/terms/as-2026',
      '/students/user-t000001',
      '/gradingPeriods/as-2026-t1',
      '/demographics/user-t000001',
    ]) {
      const answer = await get(fixture, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.body).toEqual(imsxError('unknownobject'));
    }
  });

  it('When a nested endpoint names an unknown parent (or a class of another school), then the answer is 404 unknownobject naming it', async () => {
    const cases: [string, string][] = [
      ['/classes/nope/students', 'unknown classSourcedId: nope'],
      ['/schools/org-district/classes', 'unknown schoolSourcedId: org-district'],
      ['/terms/as-2026/classes', 'unknown termSourcedId: as-2026'],
      ['/teachers/user-s0000001/classes', 'unknown teacherSourcedId: user-s0000001'],
      ['/schools/org-school-0002/classes/class-000001/students', 'unknown classSourcedId: class-000001'],
      ['/courses/none/classes', 'unknown courseSourcedId: none'],
    ];
    for (const [path, description] of cases) {
      const answer = await get(fixture, path);
      expect({ path, status: answer.status, body: answer.body }).toEqual({
        path,
        status: 404,
        body: imsxError('unknownobject', description),
      });
    }
  });

  it('When a nested collection exists but is empty, then the answer is 200 with an empty list and X-Total-Count 0', async () => {
    const answer = await get(
      fixture,
      `/classes/${CLASS}/students?filter=${encodeURIComponent("givenName='Nobody'")}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ users: [] });
    expect(answer.headers.get('x-total-count')).toBe('0');
  });

  it('When the OpenAPI document is fetched without credentials, then it lists the 41 paths', async () => {
    for (const path of [
      '/discovery/onerosterv1p2rostersservice_openapi3_v1p0.json',
      '/discovery/imsorv1p2_rostering_openapi3_v1p0.json',
      '//openapi.json',
    ]) {
      const answer = await get(fixture, path, null);
      expect(answer.status).toBe(200);
      expect(Object.keys((answer.body as { paths: object }).paths)).toHaveLength(41);
      expect(answer.body.servers).toEqual([{ url: HREF }]);
    }
  });
});
