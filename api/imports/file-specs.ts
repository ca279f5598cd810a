/**
 * The OneRoster CSV files RosterHub imports: each column's name (exact, in spec order), what it
 * holds (which decides its validation) and the stage column it lands in. Stage columns are text;
 * the merge casts them. Versions: 1.2 / 1.2.1 (`users` with or without `resourceSourcedIds`) and
 * 1.1 (`users` with `orgSourcedIds` and `role`, converted to 1.2 roles).
 */

/** Entities a reference can point at (the files that define them). */
export type RefTarget = 'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users' | 'userProfiles';

export type ColumnKind =
  | 'sourcedId'
  | 'status'
  | 'dateLastModified'
  | 'string'
  | 'enum'
  | 'date'
  | 'year'
  | 'bool'
  | 'ref'
  | 'refs'
  | 'list'
  | 'userIds'
  /** read and dropped (passwords are never stored) */
  | 'ignored';

export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly required: boolean;
  /** enum values (closed list) */
  readonly values?: readonly string[];
  /** whether `ext:…` values are allowed (extensible vocabularies) */
  readonly extensible?: boolean;
  /** what a ref/refs column points at */
  readonly target?: RefTarget;
}

export type RosterFile =
  | 'orgs'
  | 'academicSessions'
  | 'courses'
  | 'classes'
  | 'users'
  | 'roles'
  | 'userProfiles'
  | 'enrollments'
  | 'demographics';

export interface FileSpec {
  readonly file: RosterFile;
  readonly columns: readonly ColumnSpec[];
}

const c = (
  name: string,
  kind: ColumnKind,
  required = false,
  extra: Partial<ColumnSpec> = {},
): ColumnSpec => ({
  name,
  kind,
  required,
  ...extra,
});
const ref = (name: string, target: RefTarget, required = false): ColumnSpec =>
  c(name, 'ref', required, { target });
const refs = (name: string, target: RefTarget, required = false): ColumnSpec =>
  c(name, 'refs', required, { target });
const en = (name: string, values: readonly string[], required: boolean, extensible: boolean): ColumnSpec =>
  c(name, 'enum', required, { values, extensible });

const head = [
  c('sourcedId', 'sourcedId', true),
  c('status', 'status'),
  c('dateLastModified', 'dateLastModified'),
];

export const ORG_TYPES = ['department', 'district', 'local', 'national', 'school', 'state'] as const;
export const SESSION_TYPES = ['gradingPeriod', 'semester', 'schoolYear', 'term'] as const;
export const CLASS_TYPES = ['homeroom', 'scheduled'] as const;
export const ENROLLMENT_ROLES = ['administrator', 'proctor', 'student', 'teacher'] as const;
export const USER_ROLES = [
  'aide',
  'counselor',
  'districtAdministrator',
  'guardian',
  'parent',
  'principal',
  'proctor',
  'relative',
  'siteAdministrator',
  'student',
  'systemAdministrator',
  'teacher',
] as const;
/** 1.1 `users.role` values; `administrator` becomes 1.2 `districtAdministrator` at a district org, else `siteAdministrator`. */
export const USER_ROLES_V11 = [
  'administrator',
  'aide',
  'guardian',
  'parent',
  'proctor',
  'relative',
  'student',
  'teacher',
] as const;
export const ROLE_TYPES = ['primary', 'secondary'] as const;
export const SEXES = ['male', 'female', 'unspecified', 'other'] as const;

/** The users.csv columns 1.1 and 1.2 share, in the same order in both. */
const USER_IDENTITY = [
  c('username', 'string', true),
  c('userIds', 'userIds'),
  c('givenName', 'string', true),
  c('familyName', 'string', true),
  c('middleName', 'string'),
  c('identifier', 'string'),
  c('email', 'string'),
  c('sms', 'string'),
  c('phone', 'string'),
  refs('agentSourcedIds', 'users'),
  c('grades', 'list'),
  c('password', 'ignored'),
];
const USERS_START = [
  ...head,
  c('enabledUser', 'bool', true),
  ...USER_IDENTITY,
  c('userMasterIdentifier', 'string'),
];
const USERS_END = [
  c('preferredGivenName', 'string'),
  c('preferredMiddleName', 'string'),
  c('preferredFamilyName', 'string'),
  ref('primaryOrgSourcedId', 'orgs'),
  c('pronouns', 'string'),
];

/** users.csv per 1.2.1 (the generator's and the export's layout). */
export const USERS_1_2_1: FileSpec = { file: 'users', columns: [...USERS_START, ...USERS_END] };
/** users.csv per 1.2 (June 2022), which still had `resourceSourcedIds`. */
export const USERS_1_2: FileSpec = {
  file: 'users',
  columns: [...USERS_START, c('resourceSourcedIds', 'list'), ...USERS_END],
};
/** users.csv per 1.1. */
export const USERS_1_1: FileSpec = {
  file: 'users',
  columns: [
    ...head,
    c('enabledUser', 'bool', true),
    refs('orgSourcedIds', 'orgs', true),
    en('role', USER_ROLES_V11, true, false),
    ...USER_IDENTITY,
  ],
};

/** Every rostering file but users (whose layout depends on the version). */
export const FILE_SPECS: Readonly<Record<Exclude<RosterFile, 'users'>, FileSpec>> = {
  orgs: {
    file: 'orgs',
    columns: [
      ...head,
      c('name', 'string', true),
      en('type', ORG_TYPES, true, true),
      c('identifier', 'string'),
      ref('parentSourcedId', 'orgs'),
    ],
  },
  academicSessions: {
    file: 'academicSessions',
    columns: [
      ...head,
      c('title', 'string', true),
      en('type', SESSION_TYPES, true, true),
      c('startDate', 'date', true),
      c('endDate', 'date', true),
      ref('parentSourcedId', 'academicSessions'),
      c('schoolYear', 'year', true),
    ],
  },
  courses: {
    file: 'courses',
    columns: [
      ...head,
      ref('schoolYearSourcedId', 'academicSessions'),
      c('title', 'string', true),
      c('courseCode', 'string'),
      c('grades', 'list'),
      ref('orgSourcedId', 'orgs', true),
      c('subjects', 'list'),
      c('subjectCodes', 'list'),
    ],
  },
  classes: {
    file: 'classes',
    columns: [
      ...head,
      c('title', 'string', true),
      c('grades', 'list'),
      ref('courseSourcedId', 'courses', true),
      c('classCode', 'string'),
      en('classType', CLASS_TYPES, true, true),
      c('location', 'string'),
      ref('schoolSourcedId', 'orgs', true),
      refs('termSourcedIds', 'academicSessions', true),
      c('subjects', 'list'),
      c('subjectCodes', 'list'),
      c('periods', 'list'),
    ],
  },
  roles: {
    file: 'roles',
    columns: [
      ...head,
      ref('userSourcedId', 'users', true),
      en('roleType', ROLE_TYPES, true, false),
      en('role', USER_ROLES, true, true),
      c('beginDate', 'date'),
      c('endDate', 'date'),
      ref('orgSourcedId', 'orgs', true),
      ref('userProfileSourcedId', 'userProfiles'),
    ],
  },
  userProfiles: {
    file: 'userProfiles',
    columns: [
      ...head,
      ref('userSourcedId', 'users', true),
      c('profileType', 'string', true),
      c('vendorId', 'string', true),
      c('applicationId', 'string'),
      c('description', 'string'),
      c('credentialType', 'string', true),
      c('username', 'string', true),
      c('password', 'ignored'),
    ],
  },
  enrollments: {
    file: 'enrollments',
    columns: [
      ...head,
      ref('classSourcedId', 'classes', true),
      ref('schoolSourcedId', 'orgs', true),
      ref('userSourcedId', 'users', true),
      en('role', ENROLLMENT_ROLES, true, true),
      c('primary', 'bool'),
      c('beginDate', 'date'),
      c('endDate', 'date'),
    ],
  },
  demographics: {
    file: 'demographics',
    columns: [
      ...head,
      c('birthDate', 'date'),
      en('sex', SEXES, false, true),
      c('americanIndianOrAlaskaNative', 'bool'),
      c('asian', 'bool'),
      c('blackOrAfricanAmerican', 'bool'),
      c('nativeHawaiianOrOtherPacificIslander', 'bool'),
      c('white', 'bool'),
      c('demographicRaceTwoOrMoreRaces', 'bool'),
      c('hispanicOrLatinoEthnicity', 'bool'),
      c('countryOfBirthCode', 'string'),
      c('stateOfBirthAbbreviation', 'string'),
      c('cityOfBirth', 'string'),
      c('publicSchoolResidenceStatus', 'string'),
    ],
  },
};

/** The rostering files in the order they are staged (targets before the files that refer to them). */
export const LOAD_ORDER: readonly RosterFile[] = [
  'orgs',
  'academicSessions',
  'courses',
  'classes',
  'users',
  'userProfiles',
  'roles',
  'enrollments',
  'demographics',
];

/** The 21 files a OneRoster 1.2 manifest lists. */
export const MANIFEST_FILES_1_2 = [
  'academicSessions',
  'categories',
  'classes',
  'classResources',
  'courses',
  'courseResources',
  'demographics',
  'enrollments',
  'lineItemLearningObjectiveIds',
  'lineItems',
  'lineItemScoreScales',
  'orgs',
  'resources',
  'resultLearningObjectiveIds',
  'results',
  'resultScoreScales',
  'roles',
  'scoreScales',
  'userProfiles',
  'userResources',
  'users',
] as const;

/** The 13 files a OneRoster 1.1 manifest lists. */
export const MANIFEST_FILES_1_1 = [
  'academicSessions',
  'categories',
  'classes',
  'classResources',
  'courses',
  'courseResources',
  'demographics',
  'enrollments',
  'lineItems',
  'orgs',
  'resources',
  'results',
  'users',
] as const;

const ROSTER_FILES = new Set<string>(LOAD_ORDER);

/** Whether a manifest file name is one RosterHub stores (the rest are Gradebook/Resources). */
export function isRosterFile(name: string): name is RosterFile {
  return ROSTER_FILES.has(name);
}
