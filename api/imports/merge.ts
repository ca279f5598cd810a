import type pg from 'pg';
import { cascadeDeletions, createDeletedIds, notingDeleted } from './cascade-deletions.js';
import { restValue } from './rest-schema.js';
import {
  DOCUMENT_RESOURCES,
  SqlParams,
  TABLES,
  columnOf,
  lazyParam,
  objectText,
  type LazyParam,
} from '../data/sql-builder.js';
import { dropIndexes } from '../data/table-indexes.js';
import { RESOURCES } from '../services/resources.js';
import { LOAD_ORDER, type RosterFile } from './file-specs.js';
import type { FileMode } from './manifest.js';
import { stageTable } from './stage-tables.js';

/** What a merge changed in one table. */
export interface MergeCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

const arr = (column: string): string => `string_to_array(s.${column}, ',')`;
const bool = (column: string): string => `s.${column}::boolean`;
const date = (column: string): string => `s.${column}::date`;

type TableFile = Exclude<RosterFile, 'roles' | 'userProfiles'>;

/** The files with a table of their own, in load order (roles and profiles are embedded in users). */
const TABLE_FILES = LOAD_ORDER.filter(
  (file): file is TableFile => file !== 'roles' && file !== 'userProfiles',
);

/** Column of the file's table (TABLES) ← stage expression (alias `s`), per file. */
const MAPPINGS: Readonly<Record<TableFile, readonly (readonly [string, string])[]>> = {
  orgs: [
    ['name', 's.name'],
    ['type', 's.type'],
    ['identifier', restValue('orgs', 'identifier')],
    ['parent_sourced_id', 's.parent_sourced_id'],
  ],
  academicSessions: [
    ['title', 's.title'],
    ['type', 's.type'],
    ['start_date', date('start_date')],
    ['end_date', date('end_date')],
    ['parent_sourced_id', 's.parent_sourced_id'],
    ['school_year', 's.school_year'],
  ],
  courses: [
    ['school_year_sourced_id', 's.school_year_sourced_id'],
    ['title', 's.title'],
    ['course_code', restValue('courses', 'course_code')],
    ['grades', arr('grades')],
    ['org_sourced_id', 's.org_sourced_id'],
    ['subjects', arr('subjects')],
    ['subject_codes', arr('subject_codes')],
  ],
  classes: [
    ['title', 's.title'],
    ['grades', arr('grades')],
    ['course_sourced_id', 's.course_sourced_id'],
    ['class_code', 's.class_code'],
    ['class_type', 's.class_type'],
    ['location', 's.location'],
    ['school_sourced_id', 's.school_sourced_id'],
    ['term_sourced_ids', arr('term_sourced_ids')],
    ['subjects', arr('subjects')],
    ['subject_codes', arr('subject_codes')],
    ['periods', arr('periods')],
  ],
  users: [
    ['enabled_user', bool('enabled_user')],
    ['username', 's.username'],
    ['user_ids', 's.user_ids::jsonb'],
    ['given_name', 's.given_name'],
    ['family_name', 's.family_name'],
    ['middle_name', 's.middle_name'],
    ['identifier', 's.identifier'],
    ['email', 's.email'],
    ['sms', 's.sms'],
    ['phone', 's.phone'],
    ['agent_sourced_ids', arr('agent_sourced_ids')],
    ['grades', arr('grades')],
    ['user_master_identifier', 's.user_master_identifier'],
    ['preferred_first_name', 's.preferred_given_name'],
    ['preferred_middle_name', 's.preferred_middle_name'],
    ['preferred_last_name', 's.preferred_family_name'],
    ['primary_org_sourced_id', 's.primary_org_sourced_id'],
    ['pronouns', 's.pronouns'],
  ],
  enrollments: [
    ['class_sourced_id', 's.class_sourced_id'],
    ['school_sourced_id', 's.school_sourced_id'],
    ['user_sourced_id', 's.user_sourced_id'],
    ['role', 's.role'],
    ['"primary"', bool('"primary"')],
    ['begin_date', date('begin_date')],
    ['end_date', date('end_date')],
  ],
  demographics: [
    ['birth_date', date('birth_date')],
    ['sex', 's.sex'],
    ['american_indian_or_alaska_native', bool('american_indian_or_alaska_native')],
    ['asian', bool('asian')],
    ['black_or_african_american', bool('black_or_african_american')],
    ['native_hawaiian_or_other_pacific_islander', bool('native_hawaiian_or_other_pacific_islander')],
    ['white', bool('white')],
    ['demographic_race_two_or_more_races', bool('demographic_race_two_or_more_races')],
    ['hispanic_or_latino_ethnicity', bool('hispanic_or_latino_ethnicity')],
    ['country_of_birth_code', 's.country_of_birth_code'],
    ['state_of_birth_abbreviation', 's.state_of_birth_abbreviation'],
    ['city_of_birth', 's.city_of_birth'],
    ['public_school_residence_status', 's.public_school_residence_status'],
  ],
};

/** Embedded lists of users.csv's companions: roles.csv → users.roles, userProfiles.csv → users.user_profiles. */
const EMBEDDED = {
  roles: {
    column: 'roles',
    idKey: 'sourcedId',
    empty: `'[]'::jsonb`,
    element: `jsonb_strip_nulls(jsonb_build_object('sourcedId', s.sourced_id, 'roleType', s.role_type, 'role', s.role, 'orgSourcedId', s.org_sourced_id, 'userProfile', s.user_profile_sourced_id, 'beginDate', s.begin_date, 'endDate', s.end_date))`,
  },
  userProfiles: {
    column: 'user_profiles',
    idKey: 'profileId',
    empty: 'null::jsonb',
    element: `jsonb_strip_nulls(jsonb_build_object('profileId', s.sourced_id, 'profileType', s.profile_type, 'vendorId', s.vendor_id, 'applicationId', s.application_id, 'description', s.description, 'credentials', jsonb_build_array(jsonb_build_object('type', s.credential_type, 'username', s.username))))`,
  },
} as const;

type EmbeddedFile = keyof typeof EMBEDDED;

/** The temp table of users whose embedded list this import sets, with the new list. */
const embeddedTable = (file: EmbeddedFile): string => `rh_new_${EMBEDDED[file].column}`;

/** Which users the embedded list of a file governs: every user (bulk) or only the listed ones. */
interface Governed {
  all: boolean;
}

async function count(client: pg.ClientBase, sql: string, values: unknown[] = []): Promise<number> {
  const result = await client.query<{ n: string }>(sql, values);
  return Number(result.rows[0]?.n ?? 0);
}

/**
 * Computes the new embedded lists (roles, profiles) of the users a package touches. 1.1 users
 * carry their roles in `role` + `orgSourcedIds`; they become one primary role per org.
 */
async function prepareEmbedded(
  client: pg.ClientBase,
  file: EmbeddedFile,
  mode: FileMode | undefined,
  fromV11Users: boolean,
  orgsStaged = false,
): Promise<Governed | undefined> {
  const { column, idKey, element, empty } = EMBEDDED[file];
  const target = embeddedTable(file);
  await client.query(
    `create temp table ${target} (user_sourced_id text collate "C" primary key, items jsonb) on commit drop`,
  );
  if (fromV11Users) {
    // 1.1's administrator is a district administrator at a district org, else a site
    // administrator; the org's type comes from this package's orgs.csv, else from the roster.
    const storedType = `(select t.type from orgs t where t.sourced_id = o.org)`;
    const orgType = orgsStaged
      ? `coalesce((select t.type from ${stageTable('orgs')} t where t.sourced_id = o.org), ${storedType})`
      : storedType;
    await client.query(
      `insert into ${target}
       select s.sourced_id, coalesce(jsonb_agg(jsonb_build_object('sourcedId', s.sourced_id || '-role-' || o.n, 'roleType', 'primary',
         'role', case when s.role <> 'administrator' then s.role
                      when ${orgType} = 'district' then 'districtAdministrator'
                      else 'siteAdministrator' end,
         'orgSourcedId', o.org) order by o.n), '[]')
       from ${stageTable('users')} s cross join lateral unnest(string_to_array(s.org_sourced_ids, ',')) with ordinality as o(org, n)
       where s.status = 'active' group by s.sourced_id`,
    );
    return { all: false };
  }
  if (mode === undefined) return undefined;
  const stage = stageTable(file);
  if (mode === 'bulk') {
    await client.query(
      `insert into ${target} select s.user_sourced_id, jsonb_agg(${element} order by s.line) from ${stage} s group by s.user_sourced_id`,
    );
    return { all: true };
  }
  await client.query(
    `insert into ${target}
     with affected as (
       select user_sourced_id as id from ${stage}
       union select x.sourced_id from users x, jsonb_array_elements(coalesce(x.${column}, '[]')) e
         where e->>'${idKey}' in (select sourced_id from ${stage})
     )
     select a.id, coalesce((select jsonb_agg(z.e order by z.o) from (
         select e, n as o from users x, jsonb_array_elements(coalesce(x.${column}, '[]')) with ordinality as j(e, n)
           where x.sourced_id = a.id and not exists (select 1 from ${stage} d where d.sourced_id = e->>'${idKey}')
         union all
         select ${element}, 1000000000 + s.line from ${stage} s where s.user_sourced_id = a.id and s.status = 'active'
       ) z), ${empty})
     from affected a`,
  );
  return { all: false };
}

/** Columns users.csv's merge adds (the embedded lists) and the joins their values read. */
interface Extension {
  columns: readonly (readonly [string, string])[];
  join: string;
}

/**
 * The active stage rows a merge writes, as a subquery `t` with every column the table's document
 * needs: those the stage provides, the rest kept from the stored row (`o`, joined when needed).
 * Where the table keeps documents, `doc` is rendered here, set-based (the trigger then leaves the
 * row alone).
 */
function rowsSql(
  file: TableFile,
  provided: readonly (readonly [string, string])[],
  extension: Extension | undefined,
  /** JSON text of fields with one value in every row */
  fixed: Readonly<Record<string, LazyParam>>,
): { columns: string[]; rendered: boolean; sql: string } {
  const table = TABLES[file];
  const rendered = DOCUMENT_RESOURCES.includes(file);
  const names = new Set(provided.map(([name]) => name));
  const kept = rendered ? RESOURCES[file].fields.map(columnOf).filter((column) => !names.has(column)) : [];
  const all = [...provided, ...kept.map((column) => [column, `o.${column}`] as const)];
  const stored =
    extension !== undefined || kept.length > 0 ? ` left join ${table} o on o.sourced_id = s.sourced_id` : '';
  const inner = `select ${all.map(([name, expr]) => `${expr} as ${name}`).join(', ')}
    from ${stageTable(file)} s${stored} ${extension?.join ?? ''} where s.status = 'active'`;
  const columns = all.map(([name]) => name);
  if (!rendered) return { columns, rendered, sql: inner };
  return {
    columns: [...columns, 'doc'],
    rendered,
    // the checks let only GUIDs into the stage's ids and references: they need no JSON escaping
    sql: `select t.*, ${objectText(file, undefined, () => `''`, { verbatimIds: true, fixed })} from (${inner}) t`,
  };
}

/** Merges one table's stage into it (upsert of active rows; bulk: the rest become tobedeleted). */
async function mergeTable(
  client: pg.ClientBase,
  file: TableFile,
  mode: FileMode,
  importTime: Date,
  extension?: Extension,
): Promise<MergeCounts> {
  const table = TABLES[file];
  const columns = [
    ...MAPPINGS[file],
    ...(extension?.columns ?? []),
    ['metadata', 's.metadata::jsonb'] as const,
  ];
  const stage = stageTable(file);
  const names = columns.map(([name]) => name);
  const compared = mode === 'bulk' ? ['status', ...names] : ['status', 'date_last_modified', ...names];
  const params = new SqlParams();
  const dlm =
    mode === 'bulk' ? `${params.add(importTime)}::timestamptz` : 's.date_last_modified::timestamptz';
  const rows = rowsSql(
    file,
    [['sourced_id', 's.sourced_id'], ['status', `'active'::text`], ['date_last_modified', dlm], ...columns],
    extension,
    // bulk rows all take the import time: render it once, not per row
    mode === 'bulk'
      ? { dateLastModified: lazyParam(params, JSON.stringify(importTime.toISOString()), '::text') }
      : {},
  );
  // A bulk file into an empty table (a first import): a plain INSERT without any index (the
  // checks already refused duplicate sourcedIds), then each index built in one sort, several times
  // faster than maintaining them row by row. Readers of the empty table wait for the commit.
  const intoEmpty =
    mode === 'bulk' &&
    (await client.query<{ found: boolean }>(`select exists (select 1 from ${table}) as found`)).rows[0]
      ?.found === false;
  let inserted: number;
  let updated: number;
  if (intoEmpty) {
    const rebuild = await dropIndexes(client, [table], { keepPrimaryKey: false });
    const insert = await client.query(
      `insert into ${table} (${rows.columns.join(', ')}) ${rows.sql}`,
      params.values,
    );
    for (const statement of rebuild) await client.query(statement);
    inserted = insert.rowCount ?? 0;
    updated = 0;
  } else {
    const replaced = rows.rendered ? [...names, 'doc'] : names;
    const upsert = await client.query<{ inserted: string; updated: string }>(
      `with m as (
         insert into ${table} as x (${rows.columns.join(', ')}) ${rows.sql}
         on conflict (sourced_id) do update set status = excluded.status, date_last_modified = excluded.date_last_modified,
           ${replaced.map((name) => `${name} = excluded.${name}`).join(', ')}
         where (${compared.map((name) => `x.${name}`).join(', ')}) is distinct from (${compared.map((name) => `excluded.${name}`).join(', ')})
         returning (xmax = 0) as inserted
       ) select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated from m`,
      params.values,
    );
    inserted = Number(upsert.rows[0]?.inserted ?? 0);
    updated = Number(upsert.rows[0]?.updated ?? 0);
  }
  const deleted = intoEmpty
    ? 0
    : mode === 'bulk'
      ? await count(
          client,
          `with m as (update ${table} t set status = 'tobedeleted', date_last_modified = $1
             where t.status = 'active' and not exists (select 1 from ${stage} s where s.sourced_id = t.sourced_id)
             returning t.sourced_id)${notingDeleted(file)} select count(*) as n from m`,
          [importTime],
        )
      : await count(
          client,
          `with m as (update ${table} t set status = 'tobedeleted', date_last_modified = s.date_last_modified::timestamptz
             from ${stage} s where s.status = 'tobedeleted' and s.sourced_id = t.sourced_id and t.status = 'active'
             returning t.sourced_id)${notingDeleted(file)} select count(*) as n from m`,
        );
  return { inserted, updated, deleted };
}

/** Sets the embedded lists of governed users that users.csv did not carry. */
async function applyEmbedded(
  client: pg.ClientBase,
  file: EmbeddedFile,
  governed: Governed,
  usersStaged: boolean,
  importTime: Date,
): Promise<number> {
  const { column, empty } = EMBEDDED[file];
  const target = embeddedTable(file);
  const notStaged = usersStaged
    ? `and not exists (select 1 from ${stageTable('users')} s where s.sourced_id = u.sourced_id and s.status = 'active')`
    : '';
  let changed = await count(
    client,
    `with m as (update users u set ${column} = n.items, date_last_modified = $1 from ${target} n
       where n.user_sourced_id = u.sourced_id and u.${column} is distinct from n.items ${notStaged} returning 1)
     select count(*) as n from m`,
    [importTime],
  );
  if (governed.all)
    changed += await count(
      client,
      `with m as (update users u set ${column} = ${empty}, date_last_modified = $1
         where u.${column} is distinct from ${empty} and not exists (select 1 from ${target} n where n.user_sourced_id = u.sourced_id) ${notStaged}
         returning 1) select count(*) as n from m`,
      [importTime],
    );
  return changed;
}

/**
 * Applies a validated package's stage tables to the roster tables, in load order, all inside
 * the caller's transaction. Returns what changed per file.
 */
export async function mergePackage(
  client: pg.ClientBase,
  files: ReadonlyMap<RosterFile, FileMode>,
  version: '1.1' | '1.2',
  usersHaveResources: boolean,
  importTime: Date,
  /** filled with the seconds each table's merge took */
  seconds: Record<string, number>,
): Promise<Record<string, MergeCounts>> {
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      seconds[name] = Math.round((performance.now() - started) / 10) / 100;
    }
  };
  const counts: Record<string, MergeCounts> = {};
  await createDeletedIds(client);
  const usersMode = files.get('users');
  const governed = {
    roles: await prepareEmbedded(
      client,
      'roles',
      files.get('roles'),
      version === '1.1' && usersMode !== undefined,
      files.has('orgs'),
    ),
    userProfiles: await prepareEmbedded(client, 'userProfiles', files.get('userProfiles'), false),
  };
  for (const file of TABLE_FILES) {
    const mode = files.get(file);
    if (mode === undefined) continue;
    if (file !== 'users') {
      counts[file] = await timed(file, () => mergeTable(client, file, mode, importTime));
      continue;
    }
    const extra: (readonly [string, string])[] = [];
    let join = '';
    for (const embedded of ['roles', 'userProfiles'] as const) {
      const { column, empty } = EMBEDDED[embedded];
      const state = governed[embedded];
      const alias = embedded === 'roles' ? 'nr' : 'np';
      if (state)
        join += ` left join ${embeddedTable(embedded)} ${alias} on ${alias}.user_sourced_id = s.sourced_id`;
      const value = !state
        ? `coalesce(o.${column}, ${empty})`
        : state.all
          ? `coalesce(${alias}.items, ${empty})`
          : `coalesce(${alias}.items, o.${column}, ${empty})`;
      extra.push([column, value]);
    }
    if (usersHaveResources) extra.push(['resource_sourced_ids', arr('resource_sourced_ids')]);
    counts.users = await timed('users', () =>
      mergeTable(client, 'users', mode, importTime, { columns: extra, join }),
    );
  }
  for (const embedded of ['roles', 'userProfiles'] as const) {
    const state = governed[embedded];
    if (!state) continue;
    const changed = await applyEmbedded(client, embedded, state, usersMode !== undefined, importTime);
    if (files.has(embedded)) counts[embedded] = { inserted: 0, updated: changed, deleted: 0 };
    else if (counts.users) counts.users.updated += changed;
  }
  const cascaded = await timed('cascade', () => cascadeDeletions(client, importTime));
  for (const [resource, deleted] of Object.entries(cascaded)) {
    const entry = (counts[resource] ??= { inserted: 0, updated: 0, deleted: 0 });
    entry.deleted += deleted;
  }
  return counts;
}
