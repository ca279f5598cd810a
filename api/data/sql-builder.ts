import type { Condition } from '../services/endpoints.js';
import type { FilterNode, FilterPredicate } from '../services/filter-parser.js';
import type { SortSpec } from '../services/list-params.js';
import type { FieldDef, RefType, ResourceName } from '../services/resources.js';
import { RESOURCES, fieldOf } from '../services/resources.js';

/**
 * Compiles OneRoster queries into SQL. Every value from a request becomes a bind parameter;
 * the only identifiers in the SQL come from the resource catalog (a whitelist), never from the
 * request.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export const TABLES: Readonly<Record<ResourceName, string>> = {
  orgs: 'orgs',
  academicSessions: 'academic_sessions',
  courses: 'courses',
  classes: 'classes',
  users: 'users',
  enrollments: 'enrollments',
  demographics: 'demographics',
};

/**
 * Resources whose rows keep their rendered JSON in a `doc` column (their JSON depends on the
 * row alone; orgs and sessions list their children, so they are rendered per request).
 */
export const DOCUMENT_RESOURCES: readonly ResourceName[] = [
  'courses',
  'classes',
  'users',
  'enrollments',
  'demographics',
];

/** A stored document with its relative hrefs made absolute; `prefix` binds `"href":"<origin>/ims/`. */
export function documentSql(prefix: string): string {
  return `replace(t.doc, '"href":"/ims/', ${prefix})`;
}

/** The bind value for documentSql: the origin JSON-escaped, inside the href prefix. */
export function hrefPrefix(baseUrl: string): string {
  return `"href":"${JSON.stringify(baseUrl).slice(1, -1)}/ims/`;
}

const REF_PATHS: Readonly<Record<RefType, string>> = {
  org: '/ims/oneroster/rostering/v1p2/orgs/',
  academicSession: '/ims/oneroster/rostering/v1p2/academicSessions/',
  course: '/ims/oneroster/rostering/v1p2/courses/',
  class: '/ims/oneroster/rostering/v1p2/classes/',
  user: '/ims/oneroster/rostering/v1p2/users/',
  resource: '/ims/oneroster/resources/v1p2/resources/',
};

/** camelCase → snake_case: the column naming convention of roster and stage tables. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The column that stores a field (naming convention plus the reference suffixes). */
export function columnOf(field: FieldDef): string {
  switch (field.kind) {
    case 'id':
      return 'sourced_id';
    case 'ref':
      return `${snakeCase(field.name)}_sourced_id`;
    case 'refs':
      return `${snakeCase(field.name.replace(/s$/, ''))}_sourced_ids`;
    default:
      return field.name === 'primary' ? '"primary"' : snakeCase(field.name);
  }
}

/** A bind parameter added on first use (PostgreSQL rejects parameters a statement never uses). */
export type LazyParam = () => string;

/** `value` as a parameter, bound only if some part of the statement asks for it. */
export function lazyParam(params: SqlParams, value: unknown, cast = ''): LazyParam {
  let name: string | undefined;
  return () => (name ??= `${params.add(value)}${cast}`);
}

/** The GUIDRef type of a ref field (the catalog gives every ref one). */
function refTypeOf(field: FieldDef): RefType {
  if (!field.refType) throw new Error(`field ${field.name} has no reference type`);
  return field.refType;
}

/**
 * JSON is rendered as text by concatenation: `',"key":' || value` is NULL when the value is, so
 * absent values drop out without json_strip_nulls re-parsing the result (several times cheaper
 * per row, which matters when an import renders millions). substr drops the first comma.
 */
function jsonObjectText(pairs: readonly (readonly [string, string])[]): string {
  const members = pairs.map(([key, value]) => `coalesce(',"${key}":' || ${value}, '')`);
  return `'{' || substr(${members.join(' || ')}, 2) || '}'`;
}

/** A JSON string of a text expression. */
const jsonString = (expr: string): string => `to_json(${expr}::text)::text`;

/** JSON array text of the aggregated element texts, NULL when there are none. */
const jsonArrayAgg = (element: string, order: string): string =>
  `'[' || string_agg(${element}, ',' order by ${order}) || ']'`;

/**
 * How a document is rendered: `base` binds the public origin; `verbatimIds` writes sourcedIds
 * without JSON escaping, for rows whose ids were checked to be GUIDs (0-9 a-z A-Z . - _ / @, none
 * of which JSON escapes; `base` must need no escaping either), which saves much of an import's
 * rendering time; `fixed` gives the JSON text of fields that have one value in every row.
 */
export interface RenderOptions {
  readonly base: LazyParam;
  readonly verbatimIds: boolean;
  readonly fixed: Readonly<Record<string, LazyParam>>;
}

const idString = (expr: string, options: RenderOptions): string =>
  options.verbatimIds ? `'"' || ${expr} || '"'` : jsonString(expr);

/** Bytes a path segment keeps as they are (RFC 3986 unreserved, and `@`): 0-9 A-Z a-z - . _ ~ @. */
const SEGMENT_BYTE =
  'b between 48 and 57 or b between 65 and 90 or b between 97 and 122 or b in (45, 46, 95, 126, 64)';

/**
 * SQL for a sourcedId as one URL path segment: UTF-8, percent-encoded but for the characters
 * above (`a/b` → `a%2Fb`, `É` → `%C3%89`). Ids checked to be CSV GUIDs can only hold `/` of the
 * characters that need it. Inline rather than a SQL function, so that earlier migrations that
 * render with this builder need nothing a later one creates.
 */
function uriSegment(idExpr: string, verbatim: boolean): string {
  if (verbatim) return `replace(${idExpr}, '/', '%2F')`;
  const bytes = `convert_to(${idExpr}, 'UTF8')`;
  return (
    `case when ${idExpr} ~ '^[-0-9A-Za-z._~@]*$' then ${idExpr} else (` +
    `select string_agg(case when ${SEGMENT_BYTE} then chr(b) else '%' || upper(lpad(to_hex(b), 2, '0')) end, '' order by i) ` +
    `from (select i, get_byte(${bytes}, i) as b from generate_series(0, octet_length(${bytes}) - 1) as i) as id_bytes) end`
  );
}

function refObject(idExpr: string, refType: RefType, options: RenderOptions): string {
  const { base } = options;
  if (options.verbatimIds)
    return `coalesce('{"href":"' || ${base()} || '${REF_PATHS[refType]}' || ${uriSegment(idExpr, true)} || '","sourcedId":"' || ${idExpr} || '","type":"${refType}"}', '{"type":"${refType}"}')`;
  return jsonObjectText([
    ['href', jsonString(`${base()} || '${REF_PATHS[refType]}' || ${uriSegment(idExpr, false)}`)],
    ['sourcedId', jsonString(idExpr)],
    ['type', `'"${refType}"'`],
  ]);
}

/** The JSON text of one field of row `t` (NULL when absent). */
function fieldJson(resource: ResourceName, field: FieldDef, options: RenderOptions): string {
  const fixed = options.fixed[field.name];
  if (fixed !== undefined) return fixed();
  const col = `t.${columnOf(field)}`;
  switch (field.kind) {
    case 'id':
      return idString(col, options);
    case 'string':
      return jsonString(col);
    case 'json':
      // compact, and without null members, like every other part of the document
      return `nullif(json_strip_nulls(${col}::json)::text, 'null')`;
    case 'datetime':
      return `'"' || to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"'`;
    case 'date':
      return `'"' || to_char(${col}, 'YYYY-MM-DD') || '"'`;
    case 'bool':
      return `case when ${col} then '"true"' when not ${col} then '"false"' end`;
    case 'strings':
      return `array_to_json(${col})::text`;
    case 'ref':
      return `case when ${col} is not null then ${refObject(col, refTypeOf(field), options)} end`;
    case 'refs':
      // the guard spares empty lists the subquery (most users have no agents)
      return `case when cardinality(${col}) > 0 then (select ${jsonArrayAgg(refObject('u.x', refTypeOf(field), options), 'u.n')} from unnest(${col}) with ordinality u(x, n)) end`;
    case 'children':
      return `(select ${jsonArrayAgg(refObject('c.sourced_id', refTypeOf(field), options), 'c.sourced_id')} from ${TABLES[resource]} c where c.parent_sourced_id = t.sourced_id)`;
    case 'roles': {
      const role = jsonObjectText([
        ['roleType', jsonString(`r.v->>'roleType'`)],
        ['role', jsonString(`r.v->>'role'`)],
        ['org', refObject(`(r.v->>'orgSourcedId')`, 'org', options)],
        ['userProfile', idString(`(r.v->>'userProfile')`, options)],
        ['beginDate', jsonString(`r.v->>'beginDate'`)],
        ['endDate', jsonString(`r.v->>'endDate'`)],
      ]);
      return `case when jsonb_array_length(${col}) > 0 then (select ${jsonArrayAgg(role, 'r.n')} from jsonb_array_elements(${col}) with ordinality r(v, n)) end`;
    }
  }
}

/**
 * The JSON text of row `t` with the selected fields (all by default); absent values are
 * omitted. Also what the stored `doc` column holds (with `base` = '').
 */
export function objectText(
  resource: ResourceName,
  fields: readonly FieldDef[] | undefined,
  base: LazyParam,
  options: Partial<Omit<RenderOptions, 'base'>> = {},
): string {
  const selected = fields ?? RESOURCES[resource].fields;
  const rendering = { base, verbatimIds: options.verbatimIds ?? false, fixed: options.fixed ?? {} };
  return jsonObjectText(
    selected.map((field) => [field.name, fieldJson(resource, field, rendering)] as const),
  );
}

function fieldByName(resource: ResourceName, name: string): FieldDef {
  return fieldOf(RESOURCES[resource], name);
}

/** SQL for a path-derived restriction on row `t`. */
export function conditionSql(resource: ResourceName, condition: Condition, params: SqlParams): string {
  switch (condition.kind) {
    case 'fieldEquals':
      return `t.${columnOf(fieldByName(resource, condition.field))} = ${params.add(condition.value)}`;
    case 'hasRole': {
      const role: Record<string, string> = { role: condition.role };
      if (condition.orgSourcedId !== undefined) role.orgSourcedId = condition.orgSourcedId;
      return `t.roles @> ${params.add(JSON.stringify([role]))}::jsonb`;
    }
    case 'enrolledIn':
      return `t.sourced_id in (select e.user_sourced_id from enrollments e where e.class_sourced_id = ${params.add(condition.classSourcedId)} and e.role = ${params.add(condition.role)} and e.status = 'active')`;
    case 'enrolledUser': {
      const role = condition.role === undefined ? '' : ` and e.role = ${params.add(condition.role)}`;
      return `t.sourced_id in (select e.class_sourced_id from enrollments e where e.user_sourced_id = ${params.add(condition.userSourcedId)}${role} and e.status = 'active')`;
    }
    case 'refEquals':
      return `t.${columnOf(fieldByName(resource, condition.field))} = ${params.add(condition.sourcedId)}`;
    case 'refContains':
      return `t.${columnOf(fieldByName(resource, condition.field))} @> array[${params.add(condition.sourcedId)}::text]`;
    case 'active':
      return `t.status = 'active'`;
    case 'termsOfSchool':
      return `t.sourced_id in (select unnest(c.term_sourced_ids) from classes c where c.school_sourced_id = ${params.add(condition.schoolSourcedId)})`;
  }
}

const CASTS: Partial<Record<FieldDef['kind'], string>> = {
  datetime: '::timestamptz',
  date: '::date',
  bool: '::boolean',
};

function scalarPredicate(col: string, op: FilterPredicate['op'], value: string): string {
  switch (op) {
    case '=':
      return `${col} = ${value}`;
    case '!=':
      return `${col} is distinct from ${value}`;
    case '~':
      return `strpos(lower(${col}), lower(${value})) > 0`;
    default:
      return `${col} ${op} ${value}`;
  }
}

function listPredicate(col: string, op: FilterPredicate['op'], value: string): string {
  switch (op) {
    case '=':
      return `coalesce(${value} = any(${col}), false)`;
    case '!=':
      return `not coalesce(${value} = any(${col}), false)`;
    default:
      return `exists (select 1 from unnest(${col}) x where strpos(lower(x), lower(${value})) > 0)`;
  }
}

function predicateSql(predicate: FilterPredicate, params: SqlParams): string {
  const { field, op, path } = predicate;
  const col = `t.${columnOf(field)}`;
  if (field.kind === 'roles') {
    // the path is the stored role's key (role, roleType or orgSourcedId)
    const contains = `t.roles @> ${params.add(JSON.stringify([{ [path]: predicate.value }]))}::jsonb`;
    return op === '=' ? contains : `not (${contains})`;
  }
  const value = `${params.add(predicate.value)}${CASTS[field.kind] ?? '::text'}`;
  if (field.kind === 'strings' || field.kind === 'refs') return listPredicate(col, op, value);
  return scalarPredicate(col, op, value);
}

/** SQL for a parsed filter. */
export function filterSql(node: FilterNode, params: SqlParams): string {
  if (node.kind === 'predicate') return predicateSql(node, params);
  const joiner = node.kind === 'and' ? ' and ' : ' or ';
  return `(${node.items.map((item) => filterSql(item, params)).join(joiner)})`;
}

/** `order by` for a sort; sourcedId breaks ties so that every order is total. */
export function orderSql(sort: SortSpec): string {
  const dir = sort.desc ? 'desc' : 'asc';
  if (sort.field.kind === 'id') return `t.sourced_id ${dir}`;
  return `t.${columnOf(sort.field)} ${dir}, t.sourced_id ${dir}`;
}

/** A row position in a sort: the sort column's value as text (null when sorting by sourcedId) and the sourcedId. */
export type PageKey = readonly [string | null, string];

/** The rows strictly after `key` in the sort order. */
export function afterKeySql(sort: SortSpec, key: PageKey, params: SqlParams): string {
  const cmp = sort.desc ? '<' : '>';
  const id = `${params.add(key[1])}::text`;
  if (sort.field.kind === 'id') return `t.sourced_id ${cmp} ${id}`;
  const value = `${params.add(key[0])}${CASTS[sort.field.kind] ?? '::text'}`;
  return `(t.${columnOf(sort.field)}, t.sourced_id) ${cmp} (${value}, ${id})`;
}

/** The sort column as text, for building page keys. */
export function sortKeySql(sort: SortSpec): string {
  return sort.field.kind === 'id' ? 'null::text' : `t.${columnOf(sort.field)}::text`;
}
