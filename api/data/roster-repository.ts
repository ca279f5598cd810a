import { createHash } from 'node:crypto';
import type { QueryResultRow } from 'pg';
import type { ReadQueries } from '../db/read-queries.js';
import type { Condition } from '../services/endpoints.js';
import type { FilterNode } from '../services/filter-parser.js';
import type { SortSpec } from '../services/list-params.js';
import type { FieldDef, ResourceName } from '../services/resources.js';
import {
  DOCUMENT_RESOURCES,
  SqlParams,
  TABLES,
  documentSql,
  hrefPrefix,
  afterKeySql,
  conditionSql,
  filterSql,
  lazyParam,
  objectText,
  orderSql,
  sortKeySql,
  type PageKey,
} from './sql-builder.js';

export type { PageKey } from './sql-builder.js';

/** The rows a collection request addresses, before paging. */
export interface RowSet {
  readonly resource: ResourceName;
  readonly conditions: readonly Condition[];
  readonly filter: FilterNode | undefined;
  readonly sort: SortSpec;
}

export interface PageRequest {
  readonly fields: readonly FieldDef[] | undefined;
  readonly limit: number;
  /** Rows to skip after `after` (or from the start). */
  readonly offset: number;
  readonly after: PageKey | undefined;
  /** Public origin for GUIDRef hrefs, e.g. `https://roster.example.org`. */
  readonly baseUrl: string;
}

/** Called once per SQL statement, with what it was for (metrics, tests). */
export type QueryObserver = (operation: string) => void;

function where(
  set: Pick<RowSet, 'resource' | 'conditions' | 'filter'>,
  params: SqlParams,
  extra: string[] = [],
): string {
  const parts = [
    ...set.conditions.map((condition) => conditionSql(set.resource, condition, params)),
    ...(set.filter ? [filterSql(set.filter, params)] : []),
    ...extra,
  ];
  return parts.length > 0 ? `where ${parts.join(' and ')}` : '';
}

/**
 * Read queries for the rostering API. Bodies are built as JSON inside PostgreSQL and returned
 * as text, so Node never parses or re-serialises rows on the hot path.
 */
export class RosterRepository {
  constructor(
    private readonly reads: ReadQueries,
    private readonly observe: QueryObserver = () => undefined,
  ) {}

  async #query<R extends QueryResultRow>(
    operation: string,
    sql: string,
    values: unknown[],
    prepare = false,
  ): Promise<R[]> {
    this.observe(operation);
    // hot statements without a filter are few and fixed: prepared once per connection, planned once
    const name = prepare ? `rh_${createHash('sha1').update(sql).digest('hex')}` : undefined;
    return (await this.reads.query<R>(sql, values, name)).rows;
  }

  /** How many rows the set has. */
  async count(set: RowSet): Promise<number> {
    const params = new SqlParams();
    const sql = `select count(*)::text as n from ${TABLES[set.resource]} t ${where(set, params)}`;
    const rows = await this.#query<{ n: string }>('count', sql, params.values);
    return Number(rows[0]?.n ?? 0);
  }

  /** The key of every `stride`-th row (positions stride-1, 2·stride-1, …) in sort order. */
  async boundaries(set: RowSet, stride: number): Promise<PageKey[]> {
    const params = new SqlParams();
    const strideParam = params.add(stride);
    const sql = `select s.k, s.id from (
        select ${sortKeySql(set.sort)} as k, t.sourced_id as id, row_number() over (order by ${orderSql(set.sort)}) as rn
        from ${TABLES[set.resource]} t ${where(set, params)}
      ) s where s.rn % ${strideParam} = 0 order by s.rn`;
    const rows = await this.#query<{ k: string | null; id: string }>('boundaries', sql, params.values);
    return rows.map((row) => [row.k, row.id] as const);
  }

  /** One page as a JSON array (text). */
  async page(set: RowSet, page: PageRequest): Promise<string> {
    const params = new SqlParams();
    const table = TABLES[set.resource];
    let sql: string;
    if (page.fields === undefined && DOCUMENT_RESOURCES.includes(set.resource)) {
      // stored documents: one ordered scan; the aggregate reads the rows in the subquery's order
      const prefix = `${params.add(hrefPrefix(page.baseUrl))}::text`;
      const extra = page.after ? [afterKeySql(set.sort, page.after, params)] : [];
      sql = `select '[' || coalesce(string_agg(${documentSql(prefix)}, ','), '') || ']' as body
        from (
          select t.doc from ${table} t ${where(set, params, extra)}
          order by ${orderSql(set.sort)} limit ${params.add(page.limit)} offset ${params.add(page.offset)}
        ) t`;
    } else {
      // built per request: pick the page's keys first, so skipped rows are never rendered
      const json = objectText(set.resource, page.fields, lazyParam(params, page.baseUrl, '::text'));
      const extra = page.after ? [afterKeySql(set.sort, page.after, params)] : [];
      sql = `select '[' || coalesce(string_agg(${json}, ',' order by k.n), '') || ']' as body
        from (
          select i.sourced_id, row_number() over () as n from (
            select t.sourced_id from ${table} t ${where(set, params, extra)}
            order by ${orderSql(set.sort)} limit ${params.add(page.limit)} offset ${params.add(page.offset)}
          ) i
        ) k join ${table} t on t.sourced_id = k.sourced_id`;
    }
    const rows = await this.#query<{ body: string }>('page', sql, params.values, set.filter === undefined);
    return rows[0]?.body ?? '[]';
  }

  /** One object as JSON text, if it exists and meets the conditions. */
  async one(
    resource: ResourceName,
    sourcedId: string,
    conditions: readonly Condition[],
    fields: readonly FieldDef[] | undefined,
    baseUrl: string,
  ): Promise<string | undefined> {
    const params = new SqlParams();
    const stored = fields === undefined && DOCUMENT_RESOURCES.includes(resource);
    const body = stored
      ? documentSql(`${params.add(hrefPrefix(baseUrl))}::text`)
      : objectText(resource, fields, lazyParam(params, baseUrl, '::text'));
    const id = params.add(sourcedId);
    const set = { resource, conditions, filter: undefined };
    const sql = `select ${body} as body from ${TABLES[resource]} t ${where(set, params, [`t.sourced_id = ${id}`])}`;
    const rows = await this.#query<{ body: string }>('one', sql, params.values, true);
    return rows[0]?.body;
  }

  /** Whether an object exists and meets the conditions. */
  async exists(
    resource: ResourceName,
    sourcedId: string,
    conditions: readonly Condition[],
  ): Promise<boolean> {
    const params = new SqlParams();
    const id = params.add(sourcedId);
    const set = { resource, conditions, filter: undefined };
    const sql = `select 1 as found from ${TABLES[resource]} t ${where(set, params, [`t.sourced_id = ${id}`])}`;
    return (await this.#query('exists', sql, params.values)).length > 0;
  }
}
