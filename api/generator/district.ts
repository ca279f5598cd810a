import { Random, at, subSeed } from './random.js';

/** How big a generated district is. */
export interface DistrictSize {
  schools: number;
  courses: number;
  classes: number;
  users: number;
  enrollments: number;
}

export const SIZES = {
  small: { schools: 3, courses: 12, classes: 60, users: 600, enrollments: 1560 },
  large: { schools: 300, courses: 2000, classes: 50_000, users: 1_000_000, enrollments: 3_000_000 },
} as const satisfies Record<string, DistrictSize>;

export type SizeName = keyof typeof SIZES;

export const CLASSES_PER_STUDENT = 5;

export interface GenRef {
  /** ISO 8601 UTC with milliseconds */
  dateLastModified: string;
  status: 'active' | 'tobedeleted';
  sourcedId: string;
}
export interface GenOrg extends GenRef {
  name: string;
  type: string;
  identifier: string;
  parentSourcedId: string | undefined;
}
export interface GenSession extends GenRef {
  title: string;
  type: string;
  startDate: string;
  endDate: string;
  parentSourcedId: string | undefined;
  schoolYear: string;
}
export interface GenCourse extends GenRef {
  schoolYearSourcedId: string;
  title: string;
  courseCode: string;
  grades: string[];
  orgSourcedId: string;
  subjects: string[];
  subjectCodes: string[];
}
export interface GenClass extends GenRef {
  title: string;
  grades: string[];
  courseSourcedId: string;
  classCode: string;
  classType: 'homeroom' | 'scheduled';
  location: string;
  schoolSourcedId: string;
  termSourcedIds: string[];
  subjects: string[];
  subjectCodes: string[];
  periods: string[];
}
export interface GenRole {
  roleType: 'primary' | 'secondary';
  role: string;
  orgSourcedId: string;
  beginDate?: string;
  endDate?: string;
}
export interface GenUser extends GenRef {
  enabledUser: boolean;
  username: string;
  userIds: { type: string; identifier: string }[];
  givenName: string;
  familyName: string;
  middleName: string | undefined;
  identifier: string;
  email: string;
  sms: string | undefined;
  phone: string | undefined;
  agentSourcedIds: string[];
  grades: string[];
  userMasterIdentifier: string;
  preferredFirstName: string | undefined;
  preferredMiddleName: string | undefined;
  preferredLastName: string | undefined;
  primaryOrgSourcedId: string;
  pronouns: string | undefined;
  roles: GenRole[];
}
export interface GenEnrollment extends GenRef {
  classSourcedId: string;
  schoolSourcedId: string;
  userSourcedId: string;
  role: string;
  primary: boolean | undefined;
  beginDate: string | undefined;
  endDate: string | undefined;
}
export interface GenDemographics extends GenRef {
  birthDate: string;
  sex: string;
  americanIndianOrAlaskaNative: boolean;
  asian: boolean;
  blackOrAfricanAmerican: boolean;
  nativeHawaiianOrOtherPacificIslander: boolean;
  white: boolean;
  demographicRaceTwoOrMoreRaces: boolean;
  hispanicOrLatinoEthnicity: boolean;
  countryOfBirthCode: string;
  stateOfBirthAbbreviation: string;
  cityOfBirth: string;
  publicSchoolResidenceStatus: string;
}

const GIVEN = [
  'Ava',
  'Liam',
  'Noah',
  'Emma',
  'Olivia',
  'Elijah',
  'Mateo',
  'Sofia',
  'Amara',
  'Kai',
  'Yuki',
  'Chen',
  'Priya',
  'Omar',
  'Fatima',
  'Lucas',
  'Mia',
  'Zoe',
  'Ethan',
  'Isabella',
  'Aiden',
  'Layla',
  'José',
  'Chloé',
  'Nia',
  'Hiro',
  'Leila',
  'Finn',
  'Ingrid',
  'Tariq',
  'Ana',
  'Björn',
  'Maya',
  'Diego',
  'Aisha',
  'Ravi',
  'Grace',
  'Owen',
  'Lena',
  'Samuel',
];
const FAMILY = [
  'Smith',
  'Johnson',
  'Garcia',
  'Nguyen',
  'Kim',
  'Patel',
  'Brown',
  'Lee',
  'Martinez',
  "O'Brien",
  'Müller',
  'Rossi',
  'Kowalski',
  'Haddad',
  'Okafor',
  'Silva',
  'Tanaka',
  'Cohen',
  'Novak',
  'Singh',
  'Lopez',
  'Wilson',
  'Anderson',
  'Thomas',
  'Moore',
  'Jackson',
  'White',
  'Harris',
  'Clark',
  'Lewis',
  'Walker',
  'Young',
  'Hall',
  'Allen',
  'Wright',
  'Scott',
  'Green',
  'Baker',
  'Adams',
  'Nelson',
];
const SUBJECTS: readonly [string, string][] = [
  ['Mathematics', '02001'],
  ['English Language Arts', '01001'],
  ['Science', '03001'],
  ['Social Studies', '04001'],
  ['Art', '05001'],
  ['Music', '05101'],
  ['Physical Education', '08001'],
  ['World Languages', '06001'],
  ['Computer Science', '10001'],
  ['Health', '08051'],
];
const GRADES = ['KG', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
const PRONOUNS = ['she/her', 'he/him', 'they/them'];
const CITIES = ['Springfield', 'Riverton', 'Fairview', 'Lakeside', 'São Paulo', 'Kraków', 'Osaka', 'Lagos'];
const STATES = ['CA', 'TX', 'NY', 'WA', 'IL', 'FL', 'OH', 'GA'];

/** Everything in a generated district; streams of rows, computed on demand and reproducible. */
export interface GeneratedDistrict {
  readonly size: DistrictSize;
  readonly seed: number;
  readonly counts: { students: number; teachers: number; administrators: number; guardians: number };
  orgs(): Iterable<GenOrg>;
  academicSessions(): Iterable<GenSession>;
  courses(): Iterable<GenCourse>;
  classes(): Iterable<GenClass>;
  users(): Iterable<GenUser>;
  enrollments(): Iterable<GenEnrollment>;
  demographics(): Iterable<GenDemographics>;
}

const DISTRICT_ID = 'org-district';
const SCHOOL_YEAR_ID = 'as-2026';
const TERM_IDS = ['as-2026-t1', 'as-2026-t2'];
const BASE_TIME = Date.UTC(2025, 6, 1);
const YEAR_MS = 365 * 24 * 3600 * 1000;

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A district of the given size, fully determined by the seed. */
export function generateDistrict(size: DistrictSize, seed = 1): GeneratedDistrict {
  const students = Math.floor((size.enrollments - size.classes) / CLASSES_PER_STUDENT);
  const teachers = Math.max(size.schools, Math.ceil(size.classes / 2));
  const administrators = size.schools * 2;
  const guardians = size.users - students - teachers - administrators;
  if (students <= 0 || guardians < 0 || size.courses < size.schools || size.classes < size.courses)
    throw new Error(`inconsistent district size ${JSON.stringify(size)}`);

  const schoolId = (s: number): string => `org-school-${pad(s + 1, 4)}`;
  const courseId = (c: number): string => `course-${pad(c + 1, 5)}`;
  const classId = (k: number): string => `class-${pad(k + 1, 6)}`;
  const studentId = (i: number): string => `user-s${pad(i + 1, 7)}`;
  const teacherId = (i: number): string => `user-t${pad(i + 1, 6)}`;
  const adminId = (i: number): string => `user-a${pad(i + 1, 5)}`;
  const guardianId = (i: number): string => `user-g${pad(i + 1, 7)}`;
  // class k → course k mod C → school (k mod C) mod S
  const schoolOfCourse = (c: number): number => c % size.schools;
  const courseOfClass = (k: number): number => k % size.courses;
  const schoolOfClass = (k: number): number => schoolOfCourse(courseOfClass(k));
  const lowGrade = (s: number): number => (s % 3) * 4; // elementary, middle or high school
  const subject = (c: number): [string, string] => at(SUBJECTS, c % SUBJECTS.length);

  let classesBySchool: number[][] | undefined;
  const schoolClasses = (): number[][] => {
    if (!classesBySchool) {
      classesBySchool = Array.from({ length: size.schools }, () => [] as number[]);
      for (let k = 0; k < size.classes; k += 1) at(classesBySchool, schoolOfClass(k)).push(k);
    }
    return classesBySchool;
  };
  const modified = (random: Random): string =>
    new Date(BASE_TIME + Math.floor(random.next() * YEAR_MS)).toISOString();
  const statusOf = (random: Random, p: number): 'active' | 'tobedeleted' =>
    random.chance(p) ? 'tobedeleted' : 'active';
  function* rawUsers(): Generator<GenUser> {
    const random = new Random(subSeed(seed, 'users'));
    const person = (id: string, role: string, school: number, extra: Partial<GenUser>): GenUser => {
      const givenName = random.pick(GIVEN);
      const familyName = random.pick(FAMILY);
      const number = id.slice(6);
      const preferred = random.chance(0.05) ? random.pick(GIVEN) : undefined;
      return {
        sourcedId: id,
        status: statusOf(random, 0.005),
        dateLastModified: modified(random),
        enabledUser: !random.chance(0.01),
        username: `${givenName.toLowerCase()}.${familyName.toLowerCase().replace(/[^a-z]/g, '')}${number}`,
        userIds: [{ type: 'LDAP', identifier: `ldap-${number}` }],
        givenName,
        familyName,
        middleName: random.chance(0.3) ? random.pick(GIVEN) : undefined,
        identifier: `${role.charAt(0).toUpperCase()}${number}`,
        email: `${givenName.toLowerCase()}.${familyName.toLowerCase().replace(/[^a-z]/g, '')}.${number}@district.example.org`,
        sms: undefined,
        phone: role === 'guardian' ? `+1555${pad(random.int(10_000_000), 7)}` : undefined,
        agentSourcedIds: [],
        grades: [],
        userMasterIdentifier: `umi-${id}`,
        preferredFirstName: preferred,
        preferredMiddleName: undefined,
        preferredLastName: undefined,
        primaryOrgSourcedId: schoolId(school),
        pronouns: random.chance(0.2) ? random.pick(PRONOUNS) : undefined,
        roles: [{ roleType: 'primary', role, orgSourcedId: schoolId(school) }],
        ...extra,
      };
    };
    for (let i = 0; i < students; i += 1) {
      const school = i % size.schools;
      const grade = at(GRADES, lowGrade(school) + random.int(4));
      const guardian = i < guardians ? [guardianId(i)] : [];
      yield person(studentId(i), 'student', school, { grades: [grade], agentSourcedIds: guardian });
    }
    for (let i = 0; i < teachers; i += 1) {
      const school = i % size.schools;
      const roles: GenRole[] = [{ roleType: 'primary', role: 'teacher', orgSourcedId: schoolId(school) }];
      if (size.schools > 1 && i % 50 === 0)
        roles.push({
          roleType: 'secondary',
          role: 'teacher',
          orgSourcedId: schoolId((school + 1) % size.schools),
          beginDate: '2025-08-15',
        });
      yield person(teacherId(i), 'teacher', school, { roles });
    }
    for (let i = 0; i < administrators; i += 1) {
      const school = i % size.schools;
      yield person(adminId(i), i < size.schools ? 'principal' : 'siteAdministrator', school, {});
    }
    for (let i = 0; i < guardians; i += 1) {
      const child = i < students ? i : i % students;
      const school = child % size.schools;
      yield person(guardianId(i), 'guardian', school, { agentSourcedIds: [studentId(child)] });
    }
  }

  // A deleted class or user takes its dependants with it (enrollments, demographics, agent
  // links), so that no active row names a tobedeleted record and bulk packages are semantically
  // complete. The deleted ids come from replaying the streams (same statuses for the same seed).
  let deletedClassIds: Set<string> | undefined;
  let deletedUserIds: Set<string> | undefined;
  const deletedIn = (rows: Iterable<GenRef>): Set<string> => {
    const ids = new Set<string>();
    for (const row of rows) if (row.status !== 'active') ids.add(row.sourcedId);
    return ids;
  };
  const deletedClasses = (): Set<string> => (deletedClassIds ??= deletedIn(district.classes()));
  const deletedUsers = (): Set<string> => (deletedUserIds ??= deletedIn(rawUsers()));
  const statusOfUser = (id: string): 'active' | 'tobedeleted' =>
    deletedUsers().has(id) ? 'tobedeleted' : 'active';

  const district: GeneratedDistrict = {
    size,
    seed,
    counts: { students, teachers, administrators, guardians },

    *orgs() {
      const random = new Random(subSeed(seed, 'orgs'));
      yield {
        sourcedId: DISTRICT_ID,
        status: 'active',
        dateLastModified: modified(random),
        name: 'Unified School District',
        type: 'district',
        identifier: '0600001',
        parentSourcedId: undefined,
      };
      for (let s = 0; s < size.schools; s += 1) {
        const level = at(['Elementary', 'Middle', 'High'], s % 3);
        yield {
          sourcedId: schoolId(s),
          status: 'active',
          dateLastModified: modified(random),
          name: `${random.pick(FAMILY)} ${level} School ${s + 1}`,
          type: 'school',
          identifier: `06000${pad(s + 1, 5)}`,
          parentSourcedId: DISTRICT_ID,
        };
      }
    },

    *academicSessions() {
      const random = new Random(subSeed(seed, 'sessions'));
      const stamp = (): string => modified(random);
      yield {
        sourcedId: SCHOOL_YEAR_ID,
        status: 'active',
        dateLastModified: stamp(),
        title: '2025-2026',
        type: 'schoolYear',
        startDate: '2025-08-15',
        endDate: '2026-06-15',
        parentSourcedId: undefined,
        schoolYear: '2026',
      };
      const terms = [
        ['Fall 2025', '2025-08-15', '2026-01-10'],
        ['Spring 2026', '2026-01-10', '2026-06-15'],
      ] as const;
      const periods = [
        ['2025-08-15', '2025-10-20'],
        ['2025-10-20', '2026-01-10'],
        ['2026-01-10', '2026-03-25'],
        ['2026-03-25', '2026-06-15'],
      ] as const;
      for (const [t, [title, start, end]] of terms.entries()) {
        yield {
          sourcedId: at(TERM_IDS, t),
          status: 'active',
          dateLastModified: stamp(),
          title,
          type: 'term',
          startDate: start,
          endDate: end,
          parentSourcedId: SCHOOL_YEAR_ID,
          schoolYear: '2026',
        };
        for (let g = 0; g < 2; g += 1) {
          const [gStart, gEnd] = at(periods, t * 2 + g);
          yield {
            sourcedId: `${at(TERM_IDS, t)}-gp${g + 1}`,
            status: 'active',
            dateLastModified: stamp(),
            title: `${title} Quarter ${g + 1}`,
            type: 'gradingPeriod',
            startDate: gStart,
            endDate: gEnd,
            parentSourcedId: TERM_IDS[t],
            schoolYear: '2026',
          };
        }
      }
    },

    *courses() {
      const random = new Random(subSeed(seed, 'courses'));
      for (let c = 0; c < size.courses; c += 1) {
        const school = schoolOfCourse(c);
        const grade = at(GRADES, lowGrade(school) + (c % 4));
        const [name, code] = subject(c);
        yield {
          sourcedId: courseId(c),
          status: 'active',
          dateLastModified: modified(random),
          schoolYearSourcedId: SCHOOL_YEAR_ID,
          title: `${name} ${grade}`,
          courseCode: `${code}-${pad(c + 1, 5)}`,
          grades: [grade],
          orgSourcedId: schoolId(school),
          subjects: [name],
          subjectCodes: [code],
        };
      }
    },

    *classes() {
      const random = new Random(subSeed(seed, 'classes'));
      for (let k = 0; k < size.classes; k += 1) {
        const c = courseOfClass(k);
        const school = schoolOfCourse(c);
        const grade = at(GRADES, lowGrade(school) + (c % 4));
        const [name, code] = subject(c);
        const fullYear = random.chance(0.3);
        const term = random.int(2);
        const section = Math.floor(k / size.courses) + 1;
        yield {
          sourcedId: classId(k),
          status: statusOf(random, 0.01),
          dateLastModified: modified(random),
          title: `${name} ${grade} - Section ${section}`,
          grades: [grade],
          courseSourcedId: courseId(c),
          classCode: `${code}-${pad(section, 3)}`,
          classType: section === 1 && c % 7 === 0 ? 'homeroom' : 'scheduled',
          location: `Room ${100 + random.int(300)}`,
          schoolSourcedId: schoolId(school),
          termSourcedIds: fullYear ? [...TERM_IDS] : [at(TERM_IDS, term)],
          subjects: [name],
          subjectCodes: [code],
          periods: [String(1 + random.int(8))],
        };
      }
    },

    *users() {
      const deleted = deletedUsers();
      for (const user of rawUsers()) {
        const agents = user.agentSourcedIds.filter((agent) => !deleted.has(agent));
        yield agents.length === user.agentSourcedIds.length ? user : { ...user, agentSourcedIds: agents };
      }
    },

    *enrollments() {
      const dependentStatus = (
        klass: string,
        user: string,
        own: 'active' | 'tobedeleted',
      ): 'active' | 'tobedeleted' =>
        deletedClasses().has(klass) || deletedUsers().has(user) ? 'tobedeleted' : own;
      const random = new Random(subSeed(seed, 'enrollments'));
      const bySchool = schoolClasses();
      for (let k = 0; k < size.classes; k += 1) {
        const school = schoolOfClass(k);
        const position = at(bySchool, school).indexOf(k);
        const teachersHere = Math.ceil((teachers - school) / size.schools);
        const teacher = school + size.schools * (position % Math.max(1, teachersHere));
        yield {
          sourcedId: `enr-${classId(k)}-t`,
          status: dependentStatus(classId(k), teacherId(teacher), 'active'),
          dateLastModified: modified(random),
          classSourcedId: classId(k),
          schoolSourcedId: schoolId(school),
          userSourcedId: teacherId(teacher),
          role: 'teacher',
          primary: true,
          beginDate: '2025-08-15',
          endDate: '2026-06-15',
        };
      }
      for (let i = 0; i < students; i += 1) {
        const school = i % size.schools;
        const options = at(bySchool, school);
        const chosen = new Set<number>();
        const wanted = Math.min(CLASSES_PER_STUDENT, options.length);
        while (chosen.size < wanted) chosen.add(at(options, random.int(options.length)));
        let n = 0;
        for (const k of [...chosen].sort((a, b) => a - b)) {
          n += 1;
          yield {
            sourcedId: `enr-${studentId(i)}-${n}`,
            status: dependentStatus(classId(k), studentId(i), statusOf(random, 0.01)),
            dateLastModified: modified(random),
            classSourcedId: classId(k),
            schoolSourcedId: schoolId(school),
            userSourcedId: studentId(i),
            role: 'student',
            primary: undefined,
            beginDate: '2025-08-15',
            endDate: undefined,
          };
        }
      }
    },

    *demographics() {
      const random = new Random(subSeed(seed, 'demographics'));
      for (let i = 0; i < students; i += 1) {
        const year = 2008 + random.int(12);
        const race = random.int(6);
        yield {
          sourcedId: studentId(i),
          status: statusOfUser(studentId(i)),
          dateLastModified: modified(random),
          birthDate: `${year}-${pad(1 + random.int(12), 2)}-${pad(1 + random.int(28), 2)}`,
          sex: random.pick(['male', 'female', 'female', 'male', 'unspecified', 'other']),
          americanIndianOrAlaskaNative: race === 0,
          asian: race === 1,
          blackOrAfricanAmerican: race === 2,
          nativeHawaiianOrOtherPacificIslander: race === 3,
          white: race === 4,
          demographicRaceTwoOrMoreRaces: race === 5,
          hispanicOrLatinoEthnicity: random.chance(0.25),
          countryOfBirthCode: random.chance(0.9) ? 'US' : random.pick(['MX', 'BR', 'PL', 'JP', 'NG']),
          stateOfBirthAbbreviation: random.pick(STATES),
          cityOfBirth: random.pick(CITIES),
          publicSchoolResidenceStatus: '01652',
        };
      }
    },
  };
  return district;
}
