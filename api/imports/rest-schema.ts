import type pg from 'pg';
import type { RosterFile } from './file-specs.js';
import type { FileMode } from './manifest.js';
import type { ProblemCollector } from './problems.js';
import { stageTable } from './stage-tables.js';

/**
 * Fields the OneRoster 1.2 REST schema requires that its CSV binding lets a file leave blank.
 * A blank one is filled with the row's sourcedId (a stable, unique value a consumer can show),
 * and the import says so in a warning (an error under strict).
 */
export const FILLED_FROM_SOURCED_ID: readonly { file: RosterFile; column: string; stageColumn: string }[] = [
  { file: 'orgs', column: 'identifier', stageColumn: 'identifier' },
  { file: 'courses', column: 'courseCode', stageColumn: 'course_code' },
];

/** The merge's expression for a stage column: filled from the sourcedId where the REST schema needs it. */
export function restValue(file: RosterFile, stageColumn: string): string {
  const filled = FILLED_FROM_SOURCED_ID.some(
    (fill) => fill.file === file && fill.stageColumn === stageColumn,
  );
  return filled ? `coalesce(s.${stageColumn}, s.sourced_id)` : `s.${stageColumn}`;
}

const activeRow = `coalesce(s.status, 'active') = 'active'`;

/**
 * Checks the staged package against what the REST schema requires of every record: warns of
 * the blanks filled from sourcedIds, and refuses an active 1.2 user who would have no role
 * (`roles` has minItems 1): none in the package's roles.csv and, when roles.csv is absent or a
 * delta, none stored.
 */
export async function checkRestSchema(
  client: pg.ClientBase,
  files: ReadonlyMap<RosterFile, FileMode>,
  version: '1.1' | '1.2',
  problems: ProblemCollector,
): Promise<void> {
  for (const { file, column, stageColumn } of FILLED_FROM_SOURCED_ID) {
    if (!files.has(file)) continue;
    const blank = await client.query<{ line: string; total: string }>(
      `select min(s.line) as line, count(*) as total from ${stageTable(file)} s
       where ${activeRow} and s.${stageColumn} is null having count(*) > 0`,
    );
    const found = blank.rows[0];
    if (!found) continue;
    problems.warning({
      file: `${file}.csv`,
      line: Number(found.line),
      column,
      rule: 'rest-required-blank',
      message: `${column} is required by the OneRoster REST schema; ${found.total} active row(s) leave it blank (the first on this line), and each is filled with its sourcedId`,
    });
  }
  if (version !== '1.2' || !files.has('users')) return;
  const rolesMode = files.get('roles');
  const inPackage = rolesMode
    ? `exists (select 1 from ${stageTable('roles')} r where r.user_sourced_id = s.sourced_id and coalesce(r.status, 'active') = 'active')`
    : 'false';
  const stored =
    rolesMode === 'bulk'
      ? 'false'
      : `exists (select 1 from users u where u.sourced_id = s.sourced_id and jsonb_array_length(u.roles) > 0)`;
  const roleless = await client.query<{ line: string; sourced_id: string; total: string }>(
    `select s.line, s.sourced_id, count(*) over () as total from ${stageTable('users')} s
     where ${activeRow} and s.sourced_id is not null and not ${inPackage} and not ${stored}
     order by s.line limit 100`,
  );
  for (const row of roleless.rows) {
    problems.error({
      file: 'users.csv',
      line: Number(row.line),
      column: 'sourcedId',
      value: row.sourced_id,
      rule: 'user-without-role',
      message: `an active user needs at least one role (the REST schema's roles has minItems 1): user ${row.sourced_id} has none in roles.csv${rolesMode === 'bulk' ? '' : ' or stored'}`,
    });
  }
  problems.uncountedErrors(
    'users.csv',
    'user-without-role',
    Number(roleless.rows[0]?.total ?? 0) - roleless.rows.length,
  );
}
