import { once } from 'node:events';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { GeneratedDistrict } from '../generator/district.js';
import { ChunkedWriter } from '../generator/csv.js';
import { bumpDataVersion } from './data-version.js';
import type { ResourceName } from '../services/resources.js';
import { DOCUMENT_RESOURCES, TABLES, objectText } from './sql-builder.js';
import { dropIndexes } from './table-indexes.js';

/** A column value: arrays are text[] literals; jsonb values are passed already as JSON text. */
type DbValue = string | number | boolean | readonly string[] | null | undefined;

/** A PostgreSQL array literal of text elements. */
function pgArray(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`).join(',')}}`;
}

/** One field of COPY … (FORMAT csv): empty and unquoted is NULL, so empty strings are quoted. */
function copyField(value: DbValue): string {
  if (value === undefined || value === null) return '';
  let text: string;
  if (Array.isArray(value)) text = pgArray(value as readonly string[]);
  else if (typeof value === 'boolean') text = value ? 't' : 'f';
  else text = String(value);
  return text === '' || /[",\r\n\\]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

interface TableLoad {
  resource: ResourceName;
  columns: string[];
  rows: () => Iterable<DbValue[]>;
}

function plan(d: GeneratedDistrict): TableLoad[] {
  const common = ['sourced_id', 'status', 'date_last_modified'];
  return [
    {
      resource: 'orgs',
      columns: [...common, 'name', 'type', 'identifier', 'parent_sourced_id'],
      rows: function* () {
        for (const r of d.orgs())
          yield [r.sourcedId, r.status, r.dateLastModified, r.name, r.type, r.identifier, r.parentSourcedId];
      },
    },
    {
      resource: 'academicSessions',
      columns: [...common, 'title', 'type', 'start_date', 'end_date', 'parent_sourced_id', 'school_year'],
      rows: function* () {
        for (const r of d.academicSessions())
          yield [
            r.sourcedId,
            r.status,
            r.dateLastModified,
            r.title,
            r.type,
            r.startDate,
            r.endDate,
            r.parentSourcedId,
            r.schoolYear,
          ];
      },
    },
    {
      resource: 'courses',
      columns: [
        ...common,
        'title',
        'course_code',
        'school_year_sourced_id',
        'grades',
        'subjects',
        'subject_codes',
        'org_sourced_id',
      ],
      rows: function* () {
        for (const r of d.courses())
          yield [
            r.sourcedId,
            r.status,
            r.dateLastModified,
            r.title,
            r.courseCode,
            r.schoolYearSourcedId,
            r.grades,
            r.subjects,
            r.subjectCodes,
            r.orgSourcedId,
          ];
      },
    },
    {
      resource: 'classes',
      columns: [
        ...common,
        'title',
        'class_code',
        'class_type',
        'location',
        'grades',
        'subjects',
        'subject_codes',
        'periods',
        'course_sourced_id',
        'school_sourced_id',
        'term_sourced_ids',
      ],
      rows: function* () {
        for (const r of d.classes())
          yield [
            r.sourcedId,
            r.status,
            r.dateLastModified,
            r.title,
            r.classCode,
            r.classType,
            r.location,
            r.grades,
            r.subjects,
            r.subjectCodes,
            r.periods,
            r.courseSourcedId,
            r.schoolSourcedId,
            r.termSourcedIds,
          ];
      },
    },
    {
      resource: 'users',
      columns: [
        ...common,
        'enabled_user',
        'username',
        'user_ids',
        'given_name',
        'family_name',
        'middle_name',
        'preferred_first_name',
        'preferred_middle_name',
        'preferred_last_name',
        'pronouns',
        'identifier',
        'email',
        'sms',
        'phone',
        'user_master_identifier',
        'primary_org_sourced_id',
        'agent_sourced_ids',
        'grades',
        'roles',
      ],
      rows: function* () {
        for (const r of d.users())
          yield [
            r.sourcedId,
            r.status,
            r.dateLastModified,
            r.enabledUser,
            r.username,
            JSON.stringify(r.userIds),
            r.givenName,
            r.familyName,
            r.middleName,
            r.preferredFirstName,
            r.preferredMiddleName,
            r.preferredLastName,
            r.pronouns,
            r.identifier,
            r.email,
            r.sms,
            r.phone,
            r.userMasterIdentifier,
            r.primaryOrgSourcedId,
            r.agentSourcedIds.length > 0 ? r.agentSourcedIds : undefined,
            r.grades.length > 0 ? r.grades : undefined,
            JSON.stringify(r.roles),
          ];
      },
    },
    {
      resource: 'enrollments',
      columns: [
        ...common,
        'class_sourced_id',
        'school_sourced_id',
        'user_sourced_id',
        'role',
        '"primary"',
        'begin_date',
        'end_date',
      ],
      rows: function* () {
        for (const r of d.enrollments())
          yield [
            r.sourcedId,
            r.status,
            r.dateLastModified,
            r.classSourcedId,
            r.schoolSourcedId,
            r.userSourcedId,
            r.role,
            r.primary,
            r.beginDate,
            r.endDate,
          ];
      },
    },
    {
      resource: 'demographics',
      columns: [
        ...common,
        'birth_date',
        'sex',
        'american_indian_or_alaska_native',
        'asian',
        'black_or_african_american',
        'native_hawaiian_or_other_pacific_islander',
        'white',
        'demographic_race_two_or_more_races',
        'hispanic_or_latino_ethnicity',
        'country_of_birth_code',
        'state_of_birth_abbreviation',
        'city_of_birth',
        'public_school_residence_status',
      ],
      rows: function* () {
        for (const r of d.demographics())
          yield [
            r.sourcedId,
            r.status,
            r.dateLastModified,
            r.birthDate,
            r.sex,
            r.americanIndianOrAlaskaNative,
            r.asian,
            r.blackOrAfricanAmerican,
            r.nativeHawaiianOrOtherPacificIslander,
            r.white,
            r.demographicRaceTwoOrMoreRaces,
            r.hispanicOrLatinoEthnicity,
            r.countryOfBirthCode,
            r.stateOfBirthAbbreviation,
            r.cityOfBirth,
            r.publicSchoolResidenceStatus,
          ];
      },
    },
  ];
}

/**
 * COPYs a table's rows. A table that keeps rendered documents is loaded through a temp table and
 * one INSERT that renders every `doc` set-based: several times faster than the per-row trigger.
 */
async function copyRows(client: pg.Client, load: TableLoad): Promise<number> {
  const table = TABLES[load.resource];
  const rendered = DOCUMENT_RESOURCES.includes(load.resource);
  const target = rendered ? `rh_load_${table}` : table;
  if (rendered) await client.query(`create temp table ${target} (like ${table} including defaults)`);
  const stream = client.query(
    copyFrom(`copy ${target} (${load.columns.join(', ')}) from stdin (format csv)`),
  );
  const writer = new ChunkedWriter(stream);
  let count = 0;
  try {
    for (const row of load.rows()) {
      await writer.write(`${row.map(copyField).join(',')}\n`);
      count += 1;
    }
    await writer.flush();
  } catch (error) {
    // ends the COPY (CopyFail) so that the connection can roll back
    stream.destroy(error as Error);
    throw error;
  }
  stream.end();
  await once(stream, 'finish');
  if (rendered) {
    const columns = await client.query<{ name: string }>(
      `select format('%I', attname) as name from pg_attribute where attrelid = $1::regclass and attnum > 0
         and not attisdropped and attname <> 'doc' order by attnum`,
      [table],
    );
    const names = columns.rows.map((column) => column.name);
    await client.query(
      `insert into ${table} (${names.join(', ')}, doc)
       select ${names.map((name) => `t.${name}`).join(', ')}, ${objectText(load.resource, undefined, () => `''`)}
       from ${target} t`,
    );
    await client.query(`drop table ${target}`);
  }
  return count;
}

/** The roster tables, in load order. */
const ROSTER_TABLES = Object.values(TABLES);

/**
 * Replaces all roster data with a generated district in one transaction on a raw pg client:
 * TRUNCATE, drop the secondary indexes, COPY every table, recreate the indexes (same
 * definitions), bump the data version; then VACUUM ANALYZE. Returns the rows loaded per table.
 */
export async function loadDistrict(
  url: string,
  district: GeneratedDistrict,
  progress: (message: string) => void = () => undefined,
): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const loaded: Record<string, number> = {};
  try {
    await client.query('begin');
    await client.query(`truncate ${ROSTER_TABLES.join(', ')}`);
    const rebuild = await dropIndexes(client, ROSTER_TABLES, { keepPrimaryKey: true });
    for (const load of plan(district)) {
      const started = Date.now();
      const table = TABLES[load.resource];
      loaded[table] = await copyRows(client, load);
      progress(`${table}: ${loaded[table]} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const started = Date.now();
    for (const statement of rebuild) await client.query(statement);
    progress(`indexes: ${rebuild.length} rebuilt in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await bumpDataVersion(client);
    await client.query('commit');
  } catch (error) {
    // a connection that broke rolls back by itself; the load's own error is the one to report
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  const vacuum = new pg.Client({ connectionString: url });
  await vacuum.connect();
  try {
    await vacuum.query(`vacuum analyze ${ROSTER_TABLES.join(', ')}`);
  } finally {
    await vacuum.end();
  }
  return loaded;
}
