import type { ResourceName } from './resources.js';

/** The three OneRoster 1.2 rostering scopes. */
export const SCOPES = {
  roster: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly',
  core: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly',
  demographics: 'https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/**
 * Which scopes open an endpoint group: core reads take roster-core or roster; nested reads only
 * roster; demographics only roster-demographics (per the 1.2 OpenAPI).
 */
export const SCOPE_GROUPS = {
  core: [SCOPES.core, SCOPES.roster],
  nested: [SCOPES.roster],
  demographics: [SCOPES.demographics],
} as const satisfies Record<string, readonly Scope[]>;

export type ScopeGroup = keyof typeof SCOPE_GROUPS;

/** A restriction on the rows of a resource, with its values resolved from the path. */
export type Condition =
  /** a plain column equals a constant (orgs.type = 'school') */
  | { readonly kind: 'fieldEquals'; readonly field: 'type'; readonly value: string }
  /** the user has a role (at an org, if given) */
  | { readonly kind: 'hasRole'; readonly role: string; readonly orgSourcedId?: string }
  /** the user has an active enrollment in a class with a role */
  | { readonly kind: 'enrolledIn'; readonly classSourcedId: string; readonly role: string }
  /** the class has an active enrollment of a user (with a role, if given) */
  | { readonly kind: 'enrolledUser'; readonly userSourcedId: string; readonly role?: string }
  /** a reference (GUIDRef field) points at an object */
  | { readonly kind: 'refEquals'; readonly field: string; readonly sourcedId: string }
  /** a list of references includes an object */
  | { readonly kind: 'refContains'; readonly field: string; readonly sourcedId: string }
  /** the session is a term some class of the school runs in */
  | { readonly kind: 'termsOfSchool'; readonly schoolSourcedId: string }
  /** the record is active (not tobedeleted) */
  | { readonly kind: 'active' };

export type PathParams = Readonly<Record<string, string>>;

/** An object the path names that must exist (else 404 unknownobject). */
export interface ParentCheck {
  readonly param: string;
  readonly resource: ResourceName;
  readonly conditions: readonly Condition[];
}

export interface EndpointDef {
  /** Express path under the rostering base, e.g. `/classes/:classSourcedId/students`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly resource: ResourceName;
  readonly kind: 'collection' | 'single';
  readonly scope: ScopeGroup;
  /** Path parameter names, in order. */
  readonly params: readonly string[];
  /** Row restrictions (collections) or the object's required shape (singles). */
  readonly conditions: (params: PathParams) => readonly Condition[];
  readonly parents: (params: PathParams) => readonly ParentCheck[];
}

/** A path parameter (Express always provides the declared ones). */
const param = (p: PathParams, name: string): string => p[name] ?? '';
const noParents = (): readonly ParentCheck[] => [];
const isSchool: Condition = { kind: 'fieldEquals', field: 'type', value: 'school' };
const isTerm: Condition = { kind: 'fieldEquals', field: 'type', value: 'term' };
const isGradingPeriod: Condition = { kind: 'fieldEquals', field: 'type', value: 'gradingPeriod' };
const isStudent: Condition = { kind: 'hasRole', role: 'student' };
const isTeacher: Condition = { kind: 'hasRole', role: 'teacher' };
const isActive: Condition = { kind: 'active' };

const school = (): ParentCheck => ({
  param: 'schoolSourcedId',
  resource: 'orgs',
  conditions: [isSchool],
});
const classOf = (p: PathParams, inSchool: boolean): ParentCheck => ({
  param: 'classSourcedId',
  resource: 'classes',
  conditions: inSchool
    ? [{ kind: 'refEquals', field: 'school', sourcedId: param(p, 'schoolSourcedId') }]
    : [],
});

function params(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1] ?? '');
}

interface Group {
  collection: string;
  resource: ResourceName;
  plural: string;
  singular: string;
  conditions: readonly Condition[];
  scope: ScopeGroup;
}

/** The 22 core and 2 demographics endpoints: a collection and a single object each. */
const groups: Group[] = [
  {
    collection: 'academicSessions',
    resource: 'academicSessions',
    plural: 'AcademicSessions',
    singular: 'AcademicSession',
    conditions: [],
    scope: 'core',
  },
  {
    collection: 'classes',
    resource: 'classes',
    plural: 'Classes',
    singular: 'Class',
    conditions: [],
    scope: 'core',
  },
  {
    collection: 'courses',
    resource: 'courses',
    plural: 'Courses',
    singular: 'Course',
    conditions: [],
    scope: 'core',
  },
  {
    collection: 'demographics',
    resource: 'demographics',
    plural: 'Demographics',
    singular: 'Demographics',
    conditions: [],
    scope: 'demographics',
  },
  {
    collection: 'enrollments',
    resource: 'enrollments',
    plural: 'Enrollments',
    singular: 'Enrollment',
    conditions: [],
    scope: 'core',
  },
  {
    collection: 'gradingPeriods',
    resource: 'academicSessions',
    plural: 'GradingPeriods',
    singular: 'GradingPeriod',
    conditions: [isGradingPeriod],
    scope: 'core',
  },
  { collection: 'orgs', resource: 'orgs', plural: 'Orgs', singular: 'Org', conditions: [], scope: 'core' },
  {
    collection: 'schools',
    resource: 'orgs',
    plural: 'Schools',
    singular: 'School',
    conditions: [isSchool],
    scope: 'core',
  },
  {
    collection: 'students',
    resource: 'users',
    plural: 'Students',
    singular: 'Student',
    conditions: [isStudent],
    scope: 'core',
  },
  {
    collection: 'teachers',
    resource: 'users',
    plural: 'Teachers',
    singular: 'Teacher',
    conditions: [isTeacher],
    scope: 'core',
  },
  {
    collection: 'terms',
    resource: 'academicSessions',
    plural: 'Terms',
    singular: 'Term',
    conditions: [isTerm],
    scope: 'core',
  },
  {
    collection: 'users',
    resource: 'users',
    plural: 'Users',
    singular: 'User',
    conditions: [],
    scope: 'core',
  },
];

function nested(
  path: string,
  operationId: string,
  summary: string,
  resource: ResourceName,
  conditions: (p: PathParams) => readonly Condition[],
  parents: (p: PathParams) => readonly ParentCheck[],
): EndpointDef {
  return {
    path,
    operationId,
    summary,
    resource,
    kind: 'collection',
    scope: 'nested',
    params: params(path),
    // a roster lists what is in it now; the collections list tobedeleted records for syncing
    conditions: (p) => [...conditions(p), isActive],
    parents,
  };
}

const userParent =
  (param: string, role?: Condition): ((p: PathParams) => readonly ParentCheck[]) =>
  () => [{ param, resource: 'users', conditions: role ? [role] : [] }];

/** All 41 rostering endpoints of OneRoster 1.2. */
export const ENDPOINTS: readonly EndpointDef[] = [
  ...groups.flatMap((group): EndpointDef[] => [
    {
      path: `/${group.collection}`,
      operationId: `getAll${group.plural}`,
      summary: `All ${group.collection}`,
      resource: group.resource,
      kind: 'collection',
      scope: group.scope,
      params: [],
      conditions: () => group.conditions,
      parents: noParents,
    },
    {
      path: `/${group.collection}/:sourcedId`,
      operationId: `get${group.singular}`,
      summary: `One of ${group.collection} by sourcedId`,
      resource: group.resource,
      kind: 'single',
      scope: group.scope,
      params: ['sourcedId'],
      conditions: () => group.conditions,
      parents: noParents,
    },
  ]),
  nested(
    '/classes/:classSourcedId/students',
    'getStudentsForClass',
    'Students enrolled in a class',
    'users',
    (p) => [{ kind: 'enrolledIn', classSourcedId: param(p, 'classSourcedId'), role: 'student' }],
    (p) => [classOf(p, false)],
  ),
  nested(
    '/classes/:classSourcedId/teachers',
    'getTeachersForClass',
    'Teachers of a class',
    'users',
    (p) => [{ kind: 'enrolledIn', classSourcedId: param(p, 'classSourcedId'), role: 'teacher' }],
    (p) => [classOf(p, false)],
  ),
  nested(
    '/courses/:courseSourcedId/classes',
    'getClassesForCourse',
    'Classes of a course',
    'classes',
    (p) => [{ kind: 'refEquals', field: 'course', sourcedId: param(p, 'courseSourcedId') }],
    () => [{ param: 'courseSourcedId', resource: 'courses', conditions: [] }],
  ),
  nested(
    '/schools/:schoolSourcedId/classes',
    'getClassesForSchool',
    'Classes of a school',
    'classes',
    (p) => [{ kind: 'refEquals', field: 'school', sourcedId: param(p, 'schoolSourcedId') }],
    () => [school()],
  ),
  nested(
    '/students/:studentSourcedId/classes',
    'getClassesForStudent',
    'Classes a student is enrolled in',
    'classes',
    (p) => [{ kind: 'enrolledUser', userSourcedId: param(p, 'studentSourcedId'), role: 'student' }],
    userParent('studentSourcedId', isStudent),
  ),
  nested(
    '/teachers/:teacherSourcedId/classes',
    'getClassesForTeacher',
    'Classes a teacher teaches',
    'classes',
    (p) => [{ kind: 'enrolledUser', userSourcedId: param(p, 'teacherSourcedId'), role: 'teacher' }],
    userParent('teacherSourcedId', isTeacher),
  ),
  nested(
    '/terms/:termSourcedId/classes',
    'getClassesForTerm',
    'Classes that run in a term',
    'classes',
    (p) => [{ kind: 'refContains', field: 'terms', sourcedId: param(p, 'termSourcedId') }],
    () => [{ param: 'termSourcedId', resource: 'academicSessions', conditions: [isTerm] }],
  ),
  nested(
    '/users/:userSourcedId/classes',
    'getClassesForUser',
    'Classes a user is enrolled in',
    'classes',
    (p) => [{ kind: 'enrolledUser', userSourcedId: param(p, 'userSourcedId') }],
    userParent('userSourcedId'),
  ),
  nested(
    '/schools/:schoolSourcedId/classes/:classSourcedId/enrollments',
    'getEnrollmentsForClassInSchool',
    'Enrollments in a class of a school',
    'enrollments',
    (p) => [
      { kind: 'refEquals', field: 'school', sourcedId: param(p, 'schoolSourcedId') },
      { kind: 'refEquals', field: 'class', sourcedId: param(p, 'classSourcedId') },
    ],
    (p) => [school(), classOf(p, true)],
  ),
  nested(
    '/schools/:schoolSourcedId/enrollments',
    'getEnrollmentsForSchool',
    'Enrollments at a school',
    'enrollments',
    (p) => [{ kind: 'refEquals', field: 'school', sourcedId: param(p, 'schoolSourcedId') }],
    () => [school()],
  ),
  nested(
    '/schools/:schoolSourcedId/classes/:classSourcedId/students',
    'getStudentsForClassInSchool',
    'Students of a class of a school',
    'users',
    (p) => [{ kind: 'enrolledIn', classSourcedId: param(p, 'classSourcedId'), role: 'student' }],
    (p) => [school(), classOf(p, true)],
  ),
  nested(
    '/schools/:schoolSourcedId/classes/:classSourcedId/teachers',
    'getTeachersForClassInSchool',
    'Teachers of a class of a school',
    'users',
    (p) => [{ kind: 'enrolledIn', classSourcedId: param(p, 'classSourcedId'), role: 'teacher' }],
    (p) => [school(), classOf(p, true)],
  ),
  nested(
    '/schools/:schoolSourcedId/students',
    'getStudentsForSchool',
    'Students with a role at a school',
    'users',
    (p) => [{ kind: 'hasRole', role: 'student', orgSourcedId: param(p, 'schoolSourcedId') }],
    () => [school()],
  ),
  nested(
    '/schools/:schoolSourcedId/teachers',
    'getTeachersForSchool',
    'Teachers with a role at a school',
    'users',
    (p) => [{ kind: 'hasRole', role: 'teacher', orgSourcedId: param(p, 'schoolSourcedId') }],
    () => [school()],
  ),
  nested(
    '/schools/:schoolSourcedId/courses',
    'getCoursesForSchool',
    'Courses of a school',
    'courses',
    (p) => [{ kind: 'refEquals', field: 'org', sourcedId: param(p, 'schoolSourcedId') }],
    () => [school()],
  ),
  nested(
    '/schools/:schoolSourcedId/terms',
    'getTermsForSchool',
    'Terms the classes of a school run in',
    'academicSessions',
    (p) => [isTerm, { kind: 'termsOfSchool', schoolSourcedId: param(p, 'schoolSourcedId') }],
    () => [school()],
  ),
  nested(
    '/terms/:termSourcedId/gradingPeriods',
    'getGradingPeriodsForTerm',
    'Grading periods of a term',
    'academicSessions',
    (p) => [isGradingPeriod, { kind: 'refEquals', field: 'parent', sourcedId: param(p, 'termSourcedId') }],
    () => [{ param: 'termSourcedId', resource: 'academicSessions', conditions: [isTerm] }],
  ),
];

/** The rostering service's base path. */
export const ROSTERING_BASE = '/ims/oneroster/rostering/v1p2';
