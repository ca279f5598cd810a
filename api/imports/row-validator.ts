import { snakeCase } from '../data/sql-builder.js';
import type { ColumnSpec, FileSpec } from './file-specs.js';
import type { FileMode } from './manifest.js';
import type { ProblemCollector } from './problems.js';

const GUID = /^[0-9A-Za-z.\-_/@]{1,255}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const YEAR = /^\d{4}$/;
const EXT = /^ext:[a-zA-Z0-9.\-_]+$/;
const USER_ID = /^\{([^{}:]+):([^{}]*)\}$/;
const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A calendar date that exists (2023-02-30 does not). */
function realDate(year: string, month: string, day: string): boolean {
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(Number(year), m, 0)).getUTCDate();
  return d <= days;
}

/** A value in COPY text format (`\N` is NULL). */
function copyText(value: string | null): string {
  if (value === null) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\\t\n\r]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r',
  );
}

type Check = (value: string, line: number) => string | null;

/**
 * Validates the rows of one CSV file against its spec and turns each into a line of COPY text
 * for the stage table. Every problem goes to the collector; invalid values are staged as NULL so
 * that reference and duplicate checks still see the row.
 */
export class RowValidator {
  readonly #checks: (Check | undefined)[];
  readonly #positions: number[];
  readonly #hasMetadata: boolean;
  readonly #metadataKeys: (string | undefined)[];
  readonly #width: number;
  readonly #csv: string;

  constructor(
    private readonly spec: FileSpec,
    private readonly mode: FileMode,
    private readonly version: '1.1' | '1.2',
    header: readonly string[],
    /** the stage table's value columns, in COPY order (after `line`, before `metadata`) */
    private readonly stageColumns: readonly string[],
    private readonly problems: ProblemCollector,
  ) {
    this.#csv = `${spec.file}.csv`;
    this.#width = header.length;
    this.#checkHeader(header);
    this.#checks = spec.columns.map((column) =>
      column.kind === 'ignored' ? undefined : this.#check(column),
    );
    this.#metadataKeys = header.map((name, index) =>
      index >= spec.columns.length && name.startsWith('metadata.') ? name.slice(9) : undefined,
    );
    this.#hasMetadata = this.#metadataKeys.some((key) => key !== undefined);
    this.#positions = spec.columns.map((column) => stageColumns.indexOf(snakeCase(column.name)));
  }

  #checkHeader(header: readonly string[]): void {
    const expected = this.spec.columns;
    expected.forEach((column, index) => {
      const found = header[index];
      if (found === column.name) return;
      this.problems.error({
        file: this.#csv,
        line: 1,
        column: column.name,
        ...(found === undefined ? {} : { value: found }),
        rule: 'header',
        message:
          found === undefined
            ? `column ${index + 1} is missing: expected ${column.name}`
            : found.toLowerCase() === column.name.toLowerCase()
              ? `column ${index + 1} is ${found}; headers are case-sensitive: expected ${column.name}`
              : `column ${index + 1} is ${found}; expected ${column.name}`,
      });
    });
    header.slice(expected.length).forEach((name, offset) => {
      if (/^metadata\.[A-Za-z0-9_.-]+$/.test(name)) return;
      this.problems.error({
        file: this.#csv,
        line: 1,
        column: name,
        value: name,
        rule: 'header',
        message: `column ${expected.length + offset + 1} (${name || 'blank'}) is not a ${this.spec.file} column; extensions must be metadata.* columns`,
      });
    });
  }

  #error(line: number, column: ColumnSpec, value: string, rule: string, message: string): null {
    this.problems.error({ file: this.#csv, line, column: column.name, value, rule, message });
    return null;
  }

  #caseWarning(line: number, column: ColumnSpec, value: string, canonical: string): string {
    this.problems.warning({
      file: this.#csv,
      line,
      column: column.name,
      value,
      rule: 'case-mismatch',
      message: `values are case-sensitive: read ${value} as ${canonical}`,
    });
    return canonical;
  }

  #check(column: ColumnSpec): Check {
    const required = (line: number, value: string): null =>
      column.required ? this.#error(line, column, value, 'required', `${column.name} is required`) : null;
    switch (column.kind) {
      case 'sourcedId':
      case 'ref':
        return (value, line) => {
          if (value === '') return required(line, value);
          if (!GUID.test(value))
            return this.#error(
              line,
              column,
              value,
              'guid',
              'a sourcedId is 1 to 255 characters from 0-9 a-z A-Z . - _ / @',
            );
          return value;
        };
      case 'refs':
        return (value, line) => {
          if (value === '') return required(line, value);
          const items = value.split(',').map((item) => item.trim());
          const bad = items.find((item) => !GUID.test(item));
          if (bad !== undefined)
            return this.#error(
              line,
              column,
              value,
              'guid',
              `list item "${bad}" is not a sourcedId (1 to 255 characters from 0-9 a-z A-Z . - _ / @)`,
            );
          return items.join(',');
        };
      case 'status':
        return (value, line) => {
          if (this.mode === 'bulk') {
            if (value !== '')
              this.#error(line, column, value, 'bulk-field-not-blank', 'status must be blank in a bulk file');
            return 'active';
          }
          if (value === 'active' || value === 'tobedeleted') return value;
          if (value === '')
            return this.#error(line, column, value, 'required', 'status is required in a delta file');
          if (value === 'inactive' && this.version === '1.1') {
            this.problems.warning({
              file: this.#csv,
              line,
              column: column.name,
              value,
              rule: 'legacy-status',
              message: 'the 1.1 status inactive is read as tobedeleted',
            });
            return 'tobedeleted';
          }
          const lower = value.toLowerCase();
          if (lower === 'active' || lower === 'tobedeleted')
            return this.#caseWarning(line, column, value, lower);
          return this.#error(line, column, value, 'enum', 'status must be active or tobedeleted');
        };
      case 'dateLastModified':
        return (value, line) => {
          if (this.mode === 'bulk') {
            if (value !== '')
              this.#error(
                line,
                column,
                value,
                'bulk-field-not-blank',
                'dateLastModified must be blank in a bulk file',
              );
            return null;
          }
          if (value === '')
            return this.#error(
              line,
              column,
              value,
              'required',
              'dateLastModified is required in a delta file',
            );
          const match = DATETIME.exec(value);
          if (!match || !realDate(match[1] ?? '', match[2] ?? '', match[3] ?? ''))
            return this.#error(
              line,
              column,
              value,
              'datetime-format',
              'dateLastModified must be an ISO 8601 UTC date-time: YYYY-MM-DDTHH:MM:SS.sssZ',
            );
          return value;
        };
      case 'string':
        return (value, line) => (value === '' ? required(line, value) : value);
      case 'enum': {
        const values = column.values ?? [];
        const lower = new Map(values.map((item) => [item.toLowerCase(), item]));
        return (value, line) => {
          if (value === '') return required(line, value);
          if (values.includes(value)) return value;
          if (column.extensible && EXT.test(value)) return value;
          if (this.spec.file === 'roles' && column.name === 'role' && value === 'administrator') {
            if (this.version === '1.1') {
              this.problems.warning({
                file: this.#csv,
                line,
                column: column.name,
                value,
                rule: 'legacy-value',
                message: 'the OneRoster 1.1 role administrator is read as siteAdministrator',
              });
              return 'siteAdministrator';
            }
            return this.#error(
              line,
              column,
              value,
              'legacy-value',
              'administrator is not a OneRoster 1.2 role: it is ambiguous, use siteAdministrator or districtAdministrator (it is only converted in 1.1 packages)',
            );
          }
          const canonical = lower.get(value.toLowerCase());
          if (canonical !== undefined) return this.#caseWarning(line, column, value, canonical);
          return this.#error(
            line,
            column,
            value,
            'enum',
            `${column.name} must be one of ${values.join(', ')}${column.extensible ? ' (or ext:…)' : ''}`,
          );
        };
      }
      case 'date':
        return (value, line) => {
          if (value === '') return required(line, value);
          const match = DATE.exec(value);
          if (!match || !realDate(match[1] ?? '', match[2] ?? '', match[3] ?? ''))
            return this.#error(
              line,
              column,
              value,
              'date-format',
              `${column.name} must be a date YYYY-MM-DD`,
            );
          return value;
        };
      case 'year':
        return (value, line) => {
          if (value === '') return required(line, value);
          return YEAR.test(value)
            ? value
            : this.#error(line, column, value, 'year-format', `${column.name} must be a year YYYY`);
        };
      case 'bool':
        return (value, line) => {
          if (value === 'true' || value === 'false') return value;
          if (value === '') return required(line, value);
          const lower = value.toLowerCase();
          if (lower === 'true' || lower === 'false') return this.#caseWarning(line, column, value, lower);
          return this.#error(line, column, value, 'boolean', `${column.name} must be true or false`);
        };
      case 'list':
        return (value, line) => {
          if (value === '') return required(line, value);
          return value
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item !== '')
            .join(',');
        };
      case 'userIds':
        return (value, line) => {
          if (value === '') return required(line, value);
          const ids: { type: string; identifier: string }[] = [];
          for (const item of value.split(/,(?=\s*\{)/)) {
            const match = USER_ID.exec(item.trim());
            if (!match)
              return this.#error(
                line,
                column,
                value,
                'user-ids',
                'userIds must be a list of {type:identifier}, e.g. "{LDAP:12},{LTI:15}"',
              );
            ids.push({ type: match[1] ?? '', identifier: match[2] ?? '' });
          }
          return JSON.stringify(ids);
        };
      case 'ignored':
        return () => null;
    }
  }

  /** One record as a COPY text line (with its newline). */
  stage(record: readonly string[], line: number): string {
    if (record.length !== this.#width)
      this.problems.error({
        file: this.#csv,
        line,
        rule: 'column-count',
        value: String(record.length),
        message: `the row has ${record.length} fields; the header has ${this.#width}`,
      });
    const values = new Array<string>(this.stageColumns.length).fill('\\N');
    const columns = this.spec.columns;
    for (let index = 0; index < columns.length; index += 1) {
      const check = this.#checks[index];
      const position = this.#positions[index] ?? -1;
      if (check === undefined || position < 0) continue;
      const raw = record[index] ?? '';
      let value: string | null;
      if (raw.includes('\n') || raw.includes('\r')) {
        const column = columns[index];
        value = column
          ? this.#error(line, column, raw, 'line-break', 'a field must not contain a line break')
          : null;
      } else {
        value = check(raw.trim(), line);
      }
      values[position] = copyText(value);
    }
    let metadata: Record<string, string> | undefined;
    if (this.#hasMetadata) {
      for (let index = columns.length; index < record.length; index += 1) {
        const key = this.#metadataKeys[index];
        const value = record[index];
        if (key !== undefined && value !== undefined && value !== '') (metadata ??= {})[key] = value;
      }
    }
    return `${line}\t${values.join('\t')}\t${metadata ? copyText(JSON.stringify(metadata)) : '\\N'}\n`;
  }
}
