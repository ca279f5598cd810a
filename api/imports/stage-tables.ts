import { snakeCase } from '../data/sql-builder.js';
import { FILE_SPECS, USERS_1_1, USERS_1_2, type RosterFile } from './file-specs.js';

/** The stage table of a file (a TEMP table, dropped at commit). */
export function stageTable(file: RosterFile): string {
  return `rh_stage_${snakeCase(file)}`;
}

/** A double-quoted identifier (stage columns include `primary`, a reserved word). */
export function q(identifier: string): string {
  return `"${identifier}"`;
}

/**
 * The value columns of a file's stage table, after `line` and before `metadata`: every CSV
 * column but passwords, in snake case (`primary` is quoted by `q`); for users the union of the
 * 1.1, 1.2 and 1.2.1 layouts.
 */
export function stageColumns(file: RosterFile): readonly string[] {
  const specs = file === 'users' ? [USERS_1_2, USERS_1_1] : [FILE_SPECS[file]];
  const columns: string[] = [];
  for (const spec of specs)
    for (const column of spec.columns)
      if (column.kind !== 'ignored' && !columns.includes(snakeCase(column.name)))
        columns.push(snakeCase(column.name));
  return columns;
}

/** `create temp table … on commit drop`: every value column as text, plus line and metadata. */
export function createStageSql(file: RosterFile): string {
  const columns = stageColumns(file).map((column) => `${q(column)} text collate "C"`);
  return `create temp table ${stageTable(file)} (line bigint not null, ${columns.join(', ')}, metadata text) on commit drop`;
}

/** The COPY statement that fills a stage table (text format, tab-separated). */
export function copyStageSql(file: RosterFile): string {
  const columns = ['line', ...stageColumns(file), 'metadata'].map(q).join(', ');
  return `copy ${stageTable(file)} (${columns}) from stdin`;
}
