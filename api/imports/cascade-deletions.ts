import type pg from 'pg';
import { TABLES } from '../data/sql-builder.js';
import type { ResourceName } from '../services/resources.js';

/**
 * The rule for deletions, in one place: a record is active only while the records it belongs to
 * are. When a user, class, course or org becomes tobedeleted (absent from a bulk file, or a delta
 * row), what depends on it becomes tobedeleted in the same transaction, with the same
 * dateLastModified: the enrollments of the user, class or school, the classes of the course or
 * school, the courses of the org, the demographics of the user. Parents come before children,
 * so a deletion travels down (a course takes its classes, and they their enrollments).
 */
export const DEPENDENCIES: readonly { resource: ResourceName; column: string; parent: ResourceName }[] = [
  { resource: 'courses', column: 'org_sourced_id', parent: 'orgs' },
  { resource: 'classes', column: 'course_sourced_id', parent: 'courses' },
  { resource: 'classes', column: 'school_sourced_id', parent: 'orgs' },
  { resource: 'enrollments', column: 'user_sourced_id', parent: 'users' },
  { resource: 'enrollments', column: 'class_sourced_id', parent: 'classes' },
  { resource: 'enrollments', column: 'school_sourced_id', parent: 'orgs' },
  { resource: 'demographics', column: 'sourced_id', parent: 'users' },
];

/** The temporary table an import notes the ids it marked tobedeleted in (dropped at commit). */
export const DELETED_IDS = 'rh_deleted_ids';

export async function createDeletedIds(client: pg.ClientBase): Promise<void> {
  await client.query(
    `create temp table if not exists ${DELETED_IDS} (resource text not null, sourced_id text not null) on commit drop`,
  );
}

const PARENTS = new Set(DEPENDENCIES.map((dependency) => dependency.parent));

/**
 * The CTE (`, noted as (…)`) that notes the `sourced_id`s a CTE named `m` returned as deleted
 * ones of `resource`; empty for what nothing depends on (enrollments, demographics), whose
 * deletions would only fill the table.
 */
export function notingDeleted(resource: ResourceName): string {
  if (!PARENTS.has(resource)) return '';
  return `, noted as (insert into ${DELETED_IDS} (resource, sourced_id) select '${resource}', sourced_id from m)`;
}

/**
 * The statements that mark tobedeleted the active dependents of deleted records, in order:
 * dependents of those this import deleted (`noted`, from DELETED_IDS; each marked row is noted
 * in turn), or of every tobedeleted record (`all`, to mend data stored before the rule). `at` is
 * the SQL of their new dateLastModified.
 */
export function cascadeStatements(
  at: string,
  parents: 'noted' | 'all',
): { resource: ResourceName; sql: string }[] {
  return DEPENDENCIES.map(({ resource, column, parent }) => {
    const deletedParents =
      parents === 'noted'
        ? `select sourced_id from ${DELETED_IDS} where resource = '${parent}'`
        : `select sourced_id from ${TABLES[parent]} where status = 'tobedeleted'`;
    const noted = parents === 'noted' ? notingDeleted(resource) : '';
    return {
      resource,
      sql: `with m as (update ${TABLES[resource]} t set status = 'tobedeleted', date_last_modified = ${at}
         where t.status = 'active' and t.${column} in (${deletedParents})
         returning t.sourced_id)${noted}
       select count(*) as n from m`,
    };
  });
}

/** Runs the `noted` cascade of an import; returns how many rows of each resource it marked. */
export async function cascadeDeletions(
  client: pg.ClientBase,
  at: Date,
): Promise<Partial<Record<ResourceName, number>>> {
  const marked: Partial<Record<ResourceName, number>> = {};
  for (const { resource, sql } of cascadeStatements('$1', 'noted')) {
    const result = await client.query<{ n: string }>(sql, [at]);
    const count = Number(result.rows[0]?.n ?? 0);
    if (count > 0) marked[resource] = (marked[resource] ?? 0) + count;
  }
  return marked;
}
