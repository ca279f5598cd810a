/**
 * The OneRoster 1.2 rostering object types as this API serves them: each field's JSON name,
 * its kind (which decides how it is rendered, filtered and sorted) and whether it may be
 * absent. The data layer maps kinds to columns; nothing here knows SQL.
 */

/** GUIDRef `type` values (and the collection path each one's href points into). */
export type RefType = 'org' | 'academicSession' | 'course' | 'class' | 'user' | 'resource';

export type FieldKind =
  | 'id'
  | 'string'
  | 'datetime'
  | 'date'
  /** a boolean stored as such and rendered as the strings "true"/"false" */
  | 'bool'
  | 'strings'
  | 'json'
  | 'ref'
  | 'refs'
  /** refs to the objects whose `parent` is this one */
  | 'children'
  | 'roles';

export interface FieldDef {
  readonly name: string;
  readonly kind: FieldKind;
  /** May be absent (then it is omitted from the JSON). */
  readonly nullable: boolean;
  /** For ref/refs/children: the GUIDRef type. */
  readonly refType?: RefType;
}

export type ResourceName =
  'orgs' | 'academicSessions' | 'courses' | 'classes' | 'users' | 'enrollments' | 'demographics';

export interface ResourceDef {
  readonly name: ResourceName;
  /** JSON key of a collection answer (`{"users":[…]}`). */
  readonly plural: string;
  /** JSON key of a single-object answer (`{"user":{…}}`). */
  readonly singular: string;
  readonly fields: readonly FieldDef[];
  readonly byName: ReadonlyMap<string, FieldDef>;
}

const f = (name: string, kind: FieldKind, nullable = true, refType?: RefType): FieldDef => ({
  name,
  kind,
  nullable,
  ...(refType ? { refType } : {}),
});

const common = [
  f('sourcedId', 'id', false),
  f('status', 'string', false),
  f('dateLastModified', 'datetime', false),
  f('metadata', 'json'),
];

/** A resource whose collection key is its name. */
function resource(name: ResourceName, singular: string, fields: FieldDef[]): ResourceDef {
  const all = [...common, ...fields];
  return {
    name,
    plural: name,
    singular,
    fields: all,
    byName: new Map(all.map((field) => [field.name, field])),
  };
}

export const RESOURCES: Readonly<Record<ResourceName, ResourceDef>> = {
  orgs: resource('orgs', 'org', [
    f('name', 'string', false),
    f('type', 'string', false),
    f('identifier', 'string'),
    f('parent', 'ref', true, 'org'),
    f('children', 'children', true, 'org'),
  ]),
  academicSessions: resource('academicSessions', 'academicSession', [
    f('title', 'string', false),
    f('startDate', 'date', false),
    f('endDate', 'date', false),
    f('type', 'string', false),
    f('parent', 'ref', true, 'academicSession'),
    f('children', 'children', true, 'academicSession'),
    f('schoolYear', 'string', false),
  ]),
  courses: resource('courses', 'course', [
    f('title', 'string', false),
    f('schoolYear', 'ref', true, 'academicSession'),
    f('courseCode', 'string'),
    f('grades', 'strings'),
    f('subjects', 'strings'),
    f('org', 'ref', true, 'org'),
    f('subjectCodes', 'strings'),
    f('resources', 'refs', true, 'resource'),
  ]),
  classes: resource('classes', 'class', [
    f('title', 'string', false),
    f('classCode', 'string'),
    f('classType', 'string'),
    f('location', 'string'),
    f('grades', 'strings'),
    f('subjects', 'strings'),
    f('course', 'ref', false, 'course'),
    f('school', 'ref', false, 'org'),
    f('terms', 'refs', false, 'academicSession'),
    f('subjectCodes', 'strings'),
    f('periods', 'strings'),
    f('resources', 'refs', true, 'resource'),
  ]),
  users: resource('users', 'user', [
    f('userMasterIdentifier', 'string'),
    f('username', 'string'),
    f('userIds', 'json'),
    f('enabledUser', 'bool', false),
    f('givenName', 'string', false),
    f('familyName', 'string', false),
    f('middleName', 'string'),
    f('preferredFirstName', 'string'),
    f('preferredMiddleName', 'string'),
    f('preferredLastName', 'string'),
    f('pronouns', 'string'),
    f('roles', 'roles', false),
    f('userProfiles', 'json'),
    f('primaryOrg', 'ref', true, 'org'),
    f('identifier', 'string'),
    f('email', 'string'),
    f('sms', 'string'),
    f('phone', 'string'),
    f('agents', 'refs', true, 'user'),
    f('grades', 'strings'),
    f('resources', 'refs', true, 'resource'),
  ]),
  enrollments: resource('enrollments', 'enrollment', [
    f('user', 'ref', false, 'user'),
    f('class', 'ref', false, 'class'),
    f('school', 'ref', false, 'org'),
    f('role', 'string', false),
    f('primary', 'bool'),
    f('beginDate', 'date'),
    f('endDate', 'date'),
  ]),
  demographics: resource('demographics', 'demographics', [
    f('birthDate', 'date'),
    f('sex', 'string'),
    f('americanIndianOrAlaskaNative', 'bool'),
    f('asian', 'bool'),
    f('blackOrAfricanAmerican', 'bool'),
    f('nativeHawaiianOrOtherPacificIslander', 'bool'),
    f('white', 'bool'),
    f('demographicRaceTwoOrMoreRaces', 'bool'),
    f('hispanicOrLatinoEthnicity', 'bool'),
    f('countryOfBirthCode', 'string'),
    f('stateOfBirthAbbreviation', 'string'),
    f('cityOfBirth', 'string'),
    f('publicSchoolResidenceStatus', 'string'),
  ]),
};

/** Kinds whose values have a natural order (usable in `sort` and `< > <= >=`). */
export const SORTABLE_KINDS: ReadonlySet<FieldKind> = new Set(['id', 'string', 'datetime', 'date', 'bool']);

/** A field the catalog must have. */
export function fieldOf(resource: ResourceDef, name: string): FieldDef {
  const field = resource.byName.get(name);
  if (!field) throw new Error(`${resource.name} has no field ${name}`);
  return field;
}
