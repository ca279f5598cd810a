/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment -- response bodies are parsed JSON */
import type { GenUser } from '../../../api/generator/district.js';
import { get, startRosterFixture, type RosterFixture } from './fixture.js';

let fixture: RosterFixture;
let users: GenUser[];

beforeAll(async () => {
  fixture = await startRosterFixture();
  users = [...fixture.district.users()];
});

afterAll(async () => {
  await fixture.close();
});

async function ids(collection: string, filter: string, key = collection): Promise<string[]> {
  const answer = await get(
    fixture,
    `/${collection}?limit=10000&fields=sourcedId&filter=${encodeURIComponent(filter)}`,
  );
  expect({ filter, status: answer.status, body: answer.status === 200 ? 'ok' : answer.body }).toEqual({
    filter,
    status: 200,
    body: 'ok',
  });
  expect(answer.headers.get('x-total-count')).toBe(String(answer.body[key].length));
  return (answer.body[key] as { sourcedId: string }[]).map((item) => item.sourcedId);
}

const expectIds = (selected: { sourcedId: string }[]): string[] =>
  selected.map((item) => item.sourcedId).sort();

describe('filter on /users: every operator, checked against the generated data', () => {
  it('When each operator is applied, then exactly the matching users come back', async () => {
    const someone = users[123]!;
    const at = someone.dateLastModified;
    const cases: [string, (u: GenUser) => boolean][] = [
      ["familyName='Lee'", (u) => u.familyName === 'Lee'],
      ["familyName!='Lee'", (u) => u.familyName !== 'Lee'],
      ["familyName>'M'", (u) => u.familyName > 'M'],
      ["familyName>='Lee'", (u) => u.familyName >= 'Lee'],
      ["familyName<'Lee'", (u) => u.familyName < 'Lee'],
      ["familyName<='Lee'", (u) => u.familyName <= 'Lee'],
      ["email~'SMITH'", (u) => u.email.toLowerCase().includes('smith')],
      ["familyName='O''Brien'", (u) => u.familyName === "O'Brien"],
      ["familyName='Müller'", (u) => u.familyName === 'Müller'],
      [`dateLastModified='${at}'`, (u) => u.dateLastModified === at],
      [`dateLastModified!='${at}'`, (u) => u.dateLastModified !== at],
      [`dateLastModified>'${at}'`, (u) => u.dateLastModified > at],
      [`dateLastModified>='${at}'`, (u) => u.dateLastModified >= at],
      [`dateLastModified<'${at}'`, (u) => u.dateLastModified < at],
      [`dateLastModified<='${at}'`, (u) => u.dateLastModified <= at],
      ["dateLastModified>'2026-01-01'", (u) => u.dateLastModified >= '2026-01-01T00:00:00.001Z'],
      ["enabledUser='false'", (u) => !u.enabledUser],
      ["enabledUser!='false'", (u) => u.enabledUser],
      ["status='tobedeleted'", (u) => u.status === 'tobedeleted'],
      ["grades='02'", (u) => u.grades.includes('02')],
      ["grades!='02'", (u) => !u.grades.includes('02')],
      ["grades~'1'", (u) => u.grades.some((g) => g.includes('1'))],
      ["middleName!='Ava'", (u) => u.middleName !== 'Ava'],
      ["roles.role='teacher'", (u) => u.roles.some((r) => r.role === 'teacher')],
      ["roles.role!='student'", (u) => !u.roles.some((r) => r.role === 'student')],
      ["roles.roleType='secondary'", (u) => u.roles.some((r) => r.roleType === 'secondary')],
      [
        "roles.org.sourcedId='org-school-0002'",
        (u) => u.roles.some((r) => r.orgSourcedId === 'org-school-0002'),
      ],
      ["primaryOrg.sourcedId='org-school-0002'", (u) => u.primaryOrgSourcedId === 'org-school-0002'],
      ["primaryOrg~'0003'", (u) => u.primaryOrgSourcedId.includes('0003')],
      ["agents.sourcedId='user-g0000001'", (u) => u.agentSourcedIds.includes('user-g0000001')],
      ["sourcedId>='user-t'", (u) => u.sourcedId >= 'user-t'],
    ];
    for (const [filter, predicate] of cases) {
      expect({ filter, ids: (await ids('users', filter)).sort() }).toEqual({
        filter,
        ids: expectIds(users.filter(predicate)),
      });
    }
  });

  it('When predicates are combined with AND, OR and parentheses, then the logic matches', async () => {
    const cases: [string, (u: GenUser) => boolean][] = [
      ["familyName='Lee' AND status='active'", (u) => u.familyName === 'Lee' && u.status === 'active'],
      ["familyName='Lee' OR familyName='Kim'", (u) => u.familyName === 'Lee' || u.familyName === 'Kim'],
      [
        "dateLastModified>'2026-03-01' AND status='active'",
        (u) => u.dateLastModified >= '2026-03-01T00:00:00.001Z' && u.status === 'active',
      ],
      [
        "roles.role='teacher' AND familyName='Lee' OR givenName='Ava'",
        (u) => (u.roles.some((r) => r.role === 'teacher') && u.familyName === 'Lee') || u.givenName === 'Ava',
      ],
      [
        "roles.role='teacher' AND (familyName='Lee' OR givenName='Ava')",
        (u) => u.roles.some((r) => r.role === 'teacher') && (u.familyName === 'Lee' || u.givenName === 'Ava'),
      ],
      [
        "givenName='Kai' OR givenName='Mia' OR givenName='Zoe' AND enabledUser='true'",
        (u) => u.givenName === 'Kai' || u.givenName === 'Mia' || (u.givenName === 'Zoe' && u.enabledUser),
      ],
    ];
    for (const [filter, predicate] of cases) {
      expect({ filter, ids: (await ids('users', filter)).sort() }).toEqual({
        filter,
        ids: expectIds(users.filter(predicate)),
      });
    }
  });

  it('When /teachers is filtered by email (as Google Classroom does), then the one teacher comes back', async () => {
    const teacher = users.find((u) => u.roles[0]!.role === 'teacher')!;
    expect(await ids('teachers', `email='${teacher.email}'`, 'users')).toEqual([teacher.sourcedId]);
  });
});

describe('filter on other resources', () => {
  it('When enrollments, classes and sessions are filtered by reference, date, bool and list fields, then the matches are exact', async () => {
    const enrollments = [...fixture.district.enrollments()];
    const classes = [...fixture.district.classes()];
    const sessions = [...fixture.district.academicSessions()];
    expect((await ids('enrollments', "role='teacher' AND primary='true'")).sort()).toEqual(
      expectIds(enrollments.filter((e) => e.role === 'teacher' && e.primary === true)),
    );
    expect((await ids('enrollments', "class.sourcedId='class-000002'")).sort()).toEqual(
      expectIds(enrollments.filter((e) => e.classSourcedId === 'class-000002')),
    );
    expect((await ids('enrollments', "endDate>='2026-01-01'")).sort()).toEqual(
      expectIds(enrollments.filter((e) => e.endDate !== undefined && e.endDate >= '2026-01-01')),
    );
    expect((await ids('classes', "terms.sourcedId='as-2026-t2' AND classType='homeroom'")).sort()).toEqual(
      expectIds(classes.filter((c) => c.termSourcedIds.includes('as-2026-t2') && c.classType === 'homeroom')),
    );
    expect((await ids('classes', "title~'section 2'")).sort()).toEqual(
      expectIds(classes.filter((c) => c.title.toLowerCase().includes('section 2'))),
    );
    expect((await ids('academicSessions', "startDate<'2026-01-01' AND type='gradingPeriod'")).sort()).toEqual(
      expectIds(sessions.filter((s) => s.startDate < '2026-01-01' && s.type === 'gradingPeriod')),
    );
    expect(await ids('orgs', "parent.sourcedId='org-district' AND identifier='0600000002'")).toEqual([
      'org-school-0002',
    ]);
  });

  it('When a nested collection is filtered, then the filter narrows the nested set', async () => {
    const klass = [...fixture.district.enrollments()].find(
      (e) => e.status === 'active' && e.role === 'student',
    )!.classSourcedId;
    const students = (await get(fixture, `/classes/${klass}/students?limit=1000&fields=sourcedId,givenName`))
      .body.users as {
      sourcedId: string;
      givenName: string;
    }[];
    const name = students[0]!.givenName;
    const filtered = await ids(`classes/${klass}/students`, `givenName='${name}'`, 'users');
    expect(filtered.sort()).toEqual(
      students
        .filter((s) => s.givenName === name)
        .map((s) => s.sourcedId)
        .sort(),
    );
  });
});
