import { PassThrough, type Readable } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import yazl from 'yazl';
import { TABLES } from '../data/sql-builder.js';
import {
  FILE_SPECS,
  MANIFEST_FILES_1_2,
  USERS_1_2_1,
  type ColumnSpec,
  type FileSpec,
  type RosterFile,
} from '../imports/file-specs.js';
import type { ResourceName } from '../services/resources.js';

export type ExportMode = 'bulk' | 'delta';

/** The `application_name` of an export's connection (it holds a snapshot while it streams). */
export const EXPORT_APPLICATION_NAME = 'rosterhub-export';

const dt = (column: string): string =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const d = (column: string): string => `to_char(${column}, 'YYYY-MM-DD')`;
const b = (column: string): string => `case when ${column} then 'true' when not ${column} then 'false' end`;
const list = (column: string): string => `array_to_string(${column}, ',')`;

/**
 * One exported file: the SQL of each of its CSV columns over its source. The columns' names and
 * order are the importer's (SPECS), so that what is exported is what an import reads.
 */
interface ExportFile {
  name: RosterFile;
  from: string;
  /** the row's status and dateLastModified */
  head: [string, string];
  /** CSV column → SQL, for every column but sourcedId, status, dateLastModified and passwords */
  values: Readonly<Record<string, string>>;
}

/** The layout (1.2.1) of every exported file. */
const SPECS: Readonly<Record<RosterFile, FileSpec>> = { ...FILE_SPECS, users: USERS_1_2_1 };

const rows = (resource: ResourceName): string => `${TABLES[resource]} t`;
const common = (): [string, string] => [`t.status`, dt('t.date_last_modified')];

const FILES: readonly ExportFile[] = [
  {
    name: 'academicSessions',
    from: rows('academicSessions'),
    head: common(),
    values: {
      title: 't.title',
      type: 't.type',
      startDate: d('t.start_date'),
      endDate: d('t.end_date'),
      parentSourcedId: 't.parent_sourced_id',
      schoolYear: 't.school_year',
    },
  },
  {
    name: 'orgs',
    from: rows('orgs'),
    head: common(),
    values: {
      name: 't.name',
      type: 't.type',
      identifier: 't.identifier',
      parentSourcedId: 't.parent_sourced_id',
    },
  },
  {
    name: 'courses',
    from: rows('courses'),
    head: common(),
    values: {
      schoolYearSourcedId: 't.school_year_sourced_id',
      title: 't.title',
      courseCode: 't.course_code',
      grades: list('t.grades'),
      orgSourcedId: 't.org_sourced_id',
      subjects: list('t.subjects'),
      subjectCodes: list('t.subject_codes'),
    },
  },
  {
    name: 'classes',
    from: rows('classes'),
    head: common(),
    values: {
      title: 't.title',
      grades: list('t.grades'),
      courseSourcedId: 't.course_sourced_id',
      classCode: 't.class_code',
      classType: 't.class_type',
      location: 't.location',
      schoolSourcedId: 't.school_sourced_id',
      termSourcedIds: list('t.term_sourced_ids'),
      subjects: list('t.subjects'),
      subjectCodes: list('t.subject_codes'),
      periods: list('t.periods'),
    },
  },
  {
    name: 'users',
    from: rows('users'),
    head: common(),
    values: {
      enabledUser: b('t.enabled_user'),
      username: 't.username',
      userIds: `(select string_agg('{' || (e->>'type') || ':' || (e->>'identifier') || '}', ',' order by n) from jsonb_array_elements(t.user_ids) with ordinality as j(e, n))`,
      givenName: 't.given_name',
      familyName: 't.family_name',
      middleName: 't.middle_name',
      identifier: 't.identifier',
      email: 't.email',
      sms: 't.sms',
      phone: 't.phone',
      agentSourcedIds: list('t.agent_sourced_ids'),
      grades: list('t.grades'),
      userMasterIdentifier: 't.user_master_identifier',
      preferredGivenName: 't.preferred_first_name',
      preferredMiddleName: 't.preferred_middle_name',
      preferredFamilyName: 't.preferred_last_name',
      primaryOrgSourcedId: 't.primary_org_sourced_id',
      pronouns: 't.pronouns',
    },
  },
  {
    // roles live in users.roles; a role without a stored sourcedId gets <user>-r<n>
    name: 'roles',
    from: `${TABLES.users} u cross join lateral jsonb_array_elements(u.roles) with ordinality as r(e, n)`,
    head: [`u.status`, dt('u.date_last_modified')],
    values: {
      userSourcedId: 'u.sourced_id',
      roleType: `r.e->>'roleType'`,
      role: `r.e->>'role'`,
      beginDate: `r.e->>'beginDate'`,
      endDate: `r.e->>'endDate'`,
      orgSourcedId: `r.e->>'orgSourcedId'`,
      userProfileSourcedId: `r.e->>'userProfile'`,
    },
  },
  {
    name: 'userProfiles',
    from: `${TABLES.users} u cross join lateral jsonb_array_elements(coalesce(u.user_profiles, '[]')) with ordinality as r(e, n)`,
    head: [`u.status`, dt('u.date_last_modified')],
    values: {
      userSourcedId: 'u.sourced_id',
      profileType: `r.e->>'profileType'`,
      vendorId: `r.e->>'vendorId'`,
      applicationId: `r.e->>'applicationId'`,
      description: `r.e->>'description'`,
      credentialType: `r.e->'credentials'->0->>'type'`,
      username: `r.e->'credentials'->0->>'username'`,
    },
  },
  {
    name: 'enrollments',
    from: rows('enrollments'),
    head: common(),
    values: {
      classSourcedId: 't.class_sourced_id',
      schoolSourcedId: 't.school_sourced_id',
      userSourcedId: 't.user_sourced_id',
      role: 't.role',
      primary: b('t."primary"'),
      beginDate: d('t.begin_date'),
      endDate: d('t.end_date'),
    },
  },
  {
    name: 'demographics',
    from: rows('demographics'),
    head: common(),
    values: {
      birthDate: d('t.birth_date'),
      sex: 't.sex',
      americanIndianOrAlaskaNative: b('t.american_indian_or_alaska_native'),
      asian: b('t.asian'),
      blackOrAfricanAmerican: b('t.black_or_african_american'),
      nativeHawaiianOrOtherPacificIslander: b('t.native_hawaiian_or_other_pacific_islander'),
      white: b('t.white'),
      demographicRaceTwoOrMoreRaces: b('t.demographic_race_two_or_more_races'),
      hispanicOrLatinoEthnicity: b('t.hispanic_or_latino_ethnicity'),
      countryOfBirthCode: 't.country_of_birth_code',
      stateOfBirthAbbreviation: 't.state_of_birth_abbreviation',
      cityOfBirth: 't.city_of_birth',
      publicSchoolResidenceStatus: 't.public_school_residence_status',
    },
  },
];

function idOf(file: ExportFile): string {
  if (file.name === 'roles') return `coalesce(r.e->>'sourcedId', u.sourced_id || '-r' || r.n)`;
  if (file.name === 'userProfiles') return `r.e->>'profileId'`;
  return 't.sourced_id';
}

function whereOf(file: ExportFile, mode: ExportMode): string {
  const status = file.head[0];
  return mode === 'bulk' ? `where ${status} = 'active'` : '';
}

function orderOf(file: ExportFile): string {
  return file.name === 'roles' || file.name === 'userProfiles' ? 'u.sourced_id, r.n' : 't.sourced_id';
}

/** The SQL of one CSV column; bulk files leave status and dateLastModified blank. */
function valueOf(file: ExportFile, column: ColumnSpec, mode: ExportMode): string {
  switch (column.kind) {
    case 'sourcedId':
      return idOf(file);
    case 'status':
      return mode === 'bulk' ? 'null' : file.head[0];
    case 'dateLastModified':
      return mode === 'bulk' ? 'null' : file.head[1];
    case 'ignored':
      // passwords are never stored
      return 'null';
    default: {
      const value = file.values[column.name];
      if (value === undefined) throw new Error(`${file.name}.csv: no export of column ${column.name}`);
      return value;
    }
  }
}

/** The COPY … TO STDOUT of one file, with its header line. */
function exportSql(file: ExportFile, mode: ExportMode): string {
  const columns = SPECS[file.name].columns
    .map((column) => `${valueOf(file, column, mode)} as "${column.name}"`)
    .join(', ');
  return `copy (select ${columns} from ${file.from} ${whereOf(file, mode)} order by ${orderOf(file)}) to stdout with (format csv, header true)`;
}

// Every column of a layout has its SQL and every SQL a column (checked once, at load).
for (const file of FILES) {
  const names = new Set(SPECS[file.name].columns.map((column) => column.name));
  for (const name of Object.keys(file.values))
    if (!names.has(name)) throw new Error(`${file.name}.csv has no column ${name}`);
  exportSql(file, 'delta');
}

/**
 * Streams the roster as a OneRoster 1.2 CSV package (zip): manifest plus every rostering file,
 * demographics, roles and userProfiles included. Bulk (the default) holds the active records
 * with blank status and dateLastModified; delta holds every record with both. One read-only
 * REPEATABLE READ transaction gives a consistent snapshot; each file is a COPY … TO STDOUT on
 * the same connection, started only when the zip reaches it, so memory stays flat.
 */
export async function exportPackage(databaseUrl: string, mode: ExportMode = 'bulk'): Promise<Readable> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: EXPORT_APPLICATION_NAME });
  await client.connect();
  // a caller that goes away ends the connection mid-COPY; the export is abandoned, not broken
  client.on('error', () => undefined);
  let finished = false;
  const release = (): void => {
    if (!finished) {
      // Closed before the end: a ROLLBACK would wait behind the paused COPY. Ending the
      // connection (mid-query, pg destroys the socket) makes the server roll back at once.
      void client.end().catch(() => undefined);
      return;
    }
    // the caller has gone: the connection ends either way, and there is no one to tell
    void client
      .query('rollback')
      .catch(() => undefined)
      .finally(() => void client.end().catch(() => undefined));
  };
  try {
    await client.query('begin isolation level repeatable read read only');
    const present: string[] = [];
    for (const file of FILES) {
      const result = await client.query<{ found: boolean }>(
        `select exists (select 1 from ${file.from} ${whereOf(file, mode)}) as found`,
      );
      if (result.rows[0]?.found) present.push(file.name);
    }
    const zip = new yazl.ZipFile();
    const manifest = [
      'propertyName,value',
      'manifest.version,1.0',
      'oneroster.version,1.2',
      ...MANIFEST_FILES_1_2.map((name) => `file.${name},${present.includes(name) ? mode : 'absent'}`),
      'source.systemName,RosterHub',
      'source.systemCode,rosterhub-export',
      '',
    ].join('\r\n');
    const mtime = new Date();
    zip.addBuffer(Buffer.from(manifest), 'manifest.csv', { mtime });
    for (const file of FILES) {
      if (!present.includes(file.name)) continue;
      zip.addReadStreamLazy(`${file.name}.csv`, { mtime }, (callback) => {
        const stream = client.query(copyTo(exportSql(file, mode)));
        stream.on('error', () => {
          // the caller went away (see release); the zip reports real failures through its output
        });
        callback(null, stream);
      });
    }
    zip.end();
    const output = new PassThrough();
    zip.outputStream.on('error', (error: Error) => output.destroy(error));
    zip.outputStream.pipe(output);
    output.on('end', () => {
      finished = true;
    });
    output.once('close', release);
    return output;
  } catch (error) {
    release();
    throw error;
  }
}
