import { defineEntity, p } from '@mikro-orm/core';

/** A role as stored in `users.roles` (jsonb): the org is kept as its sourcedId. */
export interface StoredRole {
  roleType: 'primary' | 'secondary';
  role: string;
  orgSourcedId: string;
  userProfile?: string;
  beginDate?: string;
  endDate?: string;
}

/** A user profile as stored in `users.user_profiles` (jsonb), in its OneRoster JSON shape. */
export interface StoredUserProfile {
  profileId: string;
  profileType: string;
  vendorId: string;
  applicationId?: string;
  description?: string;
  credentials?: { type: string; username: string }[];
}

const base = {
  sourcedId: p.string().primary().fieldName('sourced_id'),
  status: p.string().default('active'),
  dateLastModified: p.datetime().fieldName('date_last_modified'),
  metadata: p.json<Record<string, unknown>>().nullable(),
};

const textArray = () => p.array().columnType('text[]').nullable();

/** `orgs`: districts, schools and other organisations. */
export const Org = defineEntity({
  name: 'Org',
  tableName: 'orgs',
  properties: {
    ...base,
    name: p.string(),
    type: p.string(),
    identifier: p.string().nullable(),
    parentSourcedId: p.string().nullable().fieldName('parent_sourced_id'),
  },
});

/** `academic_sessions`: school years, semesters, terms and grading periods. */
export const AcademicSession = defineEntity({
  name: 'AcademicSession',
  tableName: 'academic_sessions',
  properties: {
    ...base,
    title: p.string(),
    type: p.string(),
    startDate: p.date().fieldName('start_date'),
    endDate: p.date().fieldName('end_date'),
    parentSourcedId: p.string().nullable().fieldName('parent_sourced_id'),
    schoolYear: p.string().fieldName('school_year'),
  },
});

/** `courses`. */
export const Course = defineEntity({
  name: 'Course',
  tableName: 'courses',
  properties: {
    ...base,
    title: p.string(),
    courseCode: p.string().nullable().fieldName('course_code'),
    schoolYearSourcedId: p.string().nullable().fieldName('school_year_sourced_id'),
    grades: textArray(),
    subjects: textArray(),
    subjectCodes: textArray().fieldName('subject_codes'),
    orgSourcedId: p.string().nullable().fieldName('org_sourced_id'),
    resourceSourcedIds: textArray().fieldName('resource_sourced_ids'),
  },
});

/** `classes`. */
export const RosterClass = defineEntity({
  name: 'RosterClass',
  tableName: 'classes',
  properties: {
    ...base,
    title: p.string(),
    classCode: p.string().nullable().fieldName('class_code'),
    classType: p.string().nullable().fieldName('class_type'),
    location: p.string().nullable(),
    grades: textArray(),
    subjects: textArray(),
    subjectCodes: textArray().fieldName('subject_codes'),
    periods: textArray(),
    courseSourcedId: p.string().fieldName('course_sourced_id'),
    schoolSourcedId: p.string().fieldName('school_sourced_id'),
    termSourcedIds: p.array().columnType('text[]').fieldName('term_sourced_ids'),
    resourceSourcedIds: textArray().fieldName('resource_sourced_ids'),
  },
});

/** `users`, with roles, userIds and userProfiles embedded as jsonb. */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    ...base,
    enabledUser: p.boolean().fieldName('enabled_user'),
    username: p.string().nullable(),
    userIds: p.json<{ type: string; identifier: string }[]>().nullable().fieldName('user_ids'),
    givenName: p.string().fieldName('given_name'),
    familyName: p.string().fieldName('family_name'),
    middleName: p.string().nullable().fieldName('middle_name'),
    preferredFirstName: p.string().nullable().fieldName('preferred_first_name'),
    preferredMiddleName: p.string().nullable().fieldName('preferred_middle_name'),
    preferredLastName: p.string().nullable().fieldName('preferred_last_name'),
    pronouns: p.string().nullable(),
    identifier: p.string().nullable(),
    email: p.string().nullable(),
    sms: p.string().nullable(),
    phone: p.string().nullable(),
    userMasterIdentifier: p.string().nullable().fieldName('user_master_identifier'),
    primaryOrgSourcedId: p.string().nullable().fieldName('primary_org_sourced_id'),
    agentSourcedIds: textArray().fieldName('agent_sourced_ids'),
    grades: textArray(),
    roles: p.json<StoredRole[]>(),
    userProfiles: p.json<StoredUserProfile[]>().nullable().fieldName('user_profiles'),
    resourceSourcedIds: textArray().fieldName('resource_sourced_ids'),
  },
});

/** `enrollments`. */
export const Enrollment = defineEntity({
  name: 'Enrollment',
  tableName: 'enrollments',
  properties: {
    ...base,
    classSourcedId: p.string().fieldName('class_sourced_id'),
    schoolSourcedId: p.string().fieldName('school_sourced_id'),
    userSourcedId: p.string().fieldName('user_sourced_id'),
    role: p.string(),
    primary: p.boolean().nullable(),
    beginDate: p.date().nullable().fieldName('begin_date'),
    endDate: p.date().nullable().fieldName('end_date'),
  },
});

/** `demographics`: one row per user, sharing the user's sourcedId. */
export const Demographics = defineEntity({
  name: 'Demographics',
  tableName: 'demographics',
  properties: {
    ...base,
    birthDate: p.date().nullable().fieldName('birth_date'),
    sex: p.string().nullable(),
    americanIndianOrAlaskaNative: p.boolean().nullable().fieldName('american_indian_or_alaska_native'),
    asian: p.boolean().nullable(),
    blackOrAfricanAmerican: p.boolean().nullable().fieldName('black_or_african_american'),
    nativeHawaiianOrOtherPacificIslander: p
      .boolean()
      .nullable()
      .fieldName('native_hawaiian_or_other_pacific_islander'),
    white: p.boolean().nullable(),
    demographicRaceTwoOrMoreRaces: p.boolean().nullable().fieldName('demographic_race_two_or_more_races'),
    hispanicOrLatinoEthnicity: p.boolean().nullable().fieldName('hispanic_or_latino_ethnicity'),
    countryOfBirthCode: p.string().nullable().fieldName('country_of_birth_code'),
    stateOfBirthAbbreviation: p.string().nullable().fieldName('state_of_birth_abbreviation'),
    cityOfBirth: p.string().nullable().fieldName('city_of_birth'),
    publicSchoolResidenceStatus: p.string().nullable().fieldName('public_school_residence_status'),
  },
});

/** `api_clients`: OAuth 2.0 client-credentials clients (secret stored as a SHA-256 hash). */
export const ApiClient = defineEntity({
  name: 'ApiClient',
  tableName: 'api_clients',
  properties: {
    clientId: p.string().primary().fieldName('client_id'),
    name: p.string(),
    secretHash: p.string().fieldName('secret_hash'),
    scopes: p.array().columnType('text[]'),
    createdAt: p.datetime().fieldName('created_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
  },
});

/** `api_keys`: long-lived `rh_live_` keys (secret stored as a SHA-256 hash). */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    keyId: p.string().primary().fieldName('key_id'),
    name: p.string(),
    secretHash: p.string().fieldName('secret_hash'),
    scopes: p.array().columnType('text[]'),
    createdAt: p.datetime().fieldName('created_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
  },
});

export const rosterEntities = [
  Org,
  AcademicSession,
  Course,
  RosterClass,
  User,
  Enrollment,
  Demographics,
  ApiClient,
  ApiKey,
];
