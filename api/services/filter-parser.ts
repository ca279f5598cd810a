import { BadRequestError } from '../errors.js';
import type { FieldDef, ResourceDef } from './resources.js';

/** The seven OneRoster filter predicates. */
export type FilterOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

/** Which part of a field a predicate looks at (`school.sourcedId`, `roles.role`, …). */
export type FilterPath = 'value' | 'sourcedId' | 'role' | 'roleType' | 'orgSourcedId';

export interface FilterPredicate {
  readonly kind: 'predicate';
  readonly field: FieldDef;
  readonly path: FilterPath;
  readonly op: FilterOp;
  /** Validated and normalised: ISO timestamps for datetimes, booleans for bools. */
  readonly value: string | boolean;
}

export interface FilterGroup {
  readonly kind: 'and' | 'or';
  readonly items: readonly FilterNode[];
}

export type FilterNode = FilterPredicate | FilterGroup;

/** Limits that keep a hostile filter cheap to reject. */
export const FILTER_LIMITS = { maxLength: 4096, maxPredicates: 32, maxDepth: 8 } as const;

const ALL_OPS: readonly FilterOp[] = ['=', '!=', '>', '>=', '<', '<=', '~'];
const ORDER_OPS: readonly FilterOp[] = ['=', '!=', '>', '>=', '<', '<='];
const EQUALITY_OPS: readonly FilterOp[] = ['=', '!='];
const SET_OPS: readonly FilterOp[] = ['=', '!=', '~'];

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function invalid(message: string): BadRequestError {
  return new BadRequestError(message, 'invalid_filter_field');
}

function validDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    Number(year) >= 1 &&
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  );
}

/** A filter value for a datetime field: a date or date-time, UTC unless a zone is given. */
export function parseFilterDateTime(raw: string): string | undefined {
  const match = DATETIME.exec(raw);
  if (!match) return undefined;
  const [
    ,
    year = '',
    month = '',
    day = '',
    hour = '00',
    minute = '00',
    second = '00',
    fraction = '',
    zone = 'Z',
  ] = match;
  if (!validDate(year, month, day)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  const iso = `${year}-${month}-${day}T${hour}:${minute}:${second}${fraction.slice(0, 7)}${zone}`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/** The predicates allowed on a field (and the path they address), or undefined if not filterable. */
function resolveField(
  resource: ResourceDef,
  name: string,
): { field: FieldDef; path: FilterPath; ops: readonly FilterOp[] } | undefined {
  const [head = '', ...rest] = name.split('.');
  const field = resource.byName.get(head);
  if (!field) return undefined;
  const sub = rest.join('.');
  switch (field.kind) {
    case 'id':
    case 'string':
      return sub === '' ? { field, path: 'value', ops: ALL_OPS } : undefined;
    case 'datetime':
    case 'date':
      return sub === '' ? { field, path: 'value', ops: ORDER_OPS } : undefined;
    case 'bool':
      return sub === '' ? { field, path: 'value', ops: EQUALITY_OPS } : undefined;
    case 'strings':
      return sub === '' ? { field, path: 'value', ops: SET_OPS } : undefined;
    case 'ref':
      return sub === '' || sub === 'sourcedId' ? { field, path: 'sourcedId', ops: ALL_OPS } : undefined;
    case 'refs':
      return sub === '' || sub === 'sourcedId' ? { field, path: 'sourcedId', ops: SET_OPS } : undefined;
    case 'roles':
      if (sub === 'role' || sub === 'roleType') return { field, path: sub, ops: EQUALITY_OPS };
      if (sub === 'org.sourcedId' || sub === 'org') return { field, path: 'orgSourcedId', ops: EQUALITY_OPS };
      return undefined;
    case 'json':
    case 'children':
      return undefined;
  }
}

function typedValue(field: FieldDef, path: FilterPath, raw: string, fieldName: string): string | boolean {
  if (path === 'value' && field.kind === 'datetime') {
    const iso = parseFilterDateTime(raw);
    if (iso === undefined)
      throw invalid(
        `invalid date-time for filter field ${fieldName}: expected YYYY-MM-DD or an ISO 8601 date-time`,
      );
    return iso;
  }
  if (path === 'value' && field.kind === 'date') {
    const match = DATE.exec(raw);
    if (!match || !validDate(match[1] ?? '', match[2] ?? '', match[3] ?? ''))
      throw invalid(`invalid date for filter field ${fieldName}: expected YYYY-MM-DD`);
    return raw;
  }
  if (path === 'value' && field.kind === 'bool') {
    if (raw !== 'true' && raw !== 'false')
      throw invalid(`invalid value for filter field ${fieldName}: expected 'true' or 'false'`);
    return raw === 'true';
  }
  return raw;
}

class Parser {
  #pos = 0;
  #predicates = 0;

  constructor(
    private readonly text: string,
    private readonly resource: ResourceDef,
  ) {}

  parse(): FilterNode {
    const node = this.#or(0);
    this.#space();
    if (this.#pos < this.text.length)
      throw invalid(`unexpected text in filter at position ${this.#pos + 1}: ${this.#excerpt()}`);
    return node;
  }

  #excerpt(): string {
    return JSON.stringify(this.text.slice(this.#pos, this.#pos + 20));
  }

  #space(): void {
    while (this.#pos < this.text.length && /\s/.test(this.text.charAt(this.#pos))) this.#pos += 1;
  }

  #keyword(word: 'AND' | 'OR'): boolean {
    this.#space();
    const candidate = this.text.slice(this.#pos, this.#pos + word.length);
    const after = this.text[this.#pos + word.length];
    if (candidate.toUpperCase() === word && (after === undefined || /[\s(]/.test(after))) {
      this.#pos += word.length;
      return true;
    }
    return false;
  }

  #or(depth: number): FilterNode {
    const items = [this.#and(depth)];
    while (this.#keyword('OR')) items.push(this.#and(depth));
    return items.length === 1 && items[0] ? items[0] : { kind: 'or', items };
  }

  #and(depth: number): FilterNode {
    const items = [this.#atom(depth)];
    while (this.#keyword('AND')) items.push(this.#atom(depth));
    return items.length === 1 && items[0] ? items[0] : { kind: 'and', items };
  }

  #atom(depth: number): FilterNode {
    this.#space();
    if (this.text[this.#pos] === '(') {
      if (depth >= FILTER_LIMITS.maxDepth) throw invalid('filter is nested too deeply');
      this.#pos += 1;
      const node = this.#or(depth + 1);
      this.#space();
      if (this.text[this.#pos] !== ')') throw invalid(`missing ')' in filter at position ${this.#pos + 1}`);
      this.#pos += 1;
      return node;
    }
    return this.#predicate();
  }

  #predicate(): FilterPredicate {
    this.#predicates += 1;
    if (this.#predicates > FILTER_LIMITS.maxPredicates)
      throw invalid(`filter has more than ${FILTER_LIMITS.maxPredicates} predicates`);
    const nameMatch = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(this.text.slice(this.#pos));
    if (!nameMatch)
      throw invalid(`expected a field name in filter at position ${this.#pos + 1}: ${this.#excerpt()}`);
    const name = nameMatch[0];
    this.#pos += name.length;
    this.#space();
    const opMatch = /^(>=|<=|!=|=|>|<|~)/.exec(this.text.slice(this.#pos));
    if (!opMatch) throw invalid(`expected one of = != > >= < <= ~ after filter field ${name}`);
    const op = opMatch[0] as FilterOp;
    this.#pos += op.length;
    this.#space();
    const raw = this.#value(name);
    const resolved = resolveField(this.resource, name);
    if (!resolved) throw invalid(`unknown filter field: ${name}`);
    if (!resolved.ops.includes(op)) throw invalid(`operator ${op} is not supported for filter field ${name}`);
    return {
      kind: 'predicate',
      field: resolved.field,
      path: resolved.path,
      op,
      value: typedValue(resolved.field, resolved.path, raw, name),
    };
  }

  #value(name: string): string {
    const quote = this.text[this.#pos];
    if (quote === "'" || quote === '"') {
      let value = '';
      let i = this.#pos + 1;
      for (;;) {
        const ch = this.text[i];
        if (ch === undefined) throw invalid(`unterminated quoted value for filter field ${name}`);
        if (ch === quote) {
          if (this.text[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          this.#pos = i + 1;
          return value;
        }
        value += ch;
        i += 1;
      }
    }
    const bare = /^[^\s()'"=!<>~]+/.exec(this.text.slice(this.#pos));
    if (!bare) throw invalid(`expected a value for filter field ${name}`);
    this.#pos += bare[0].length;
    return bare[0];
  }
}

/**
 * Parses a OneRoster filter (`familyName='Lee' AND dateLastModified>'2024-01-01'`): predicates
 * `= != > >= < <= ~`, joined by AND/OR (AND binds tighter; parentheses group), values in single
 * or double quotes (a doubled quote escapes itself). Fields are checked against the resource;
 * anything wrong is a 400 `invalid_filter_field` naming the offending field or position.
 */
export function parseFilter(text: string, resource: ResourceDef): FilterNode {
  if (text.length > FILTER_LIMITS.maxLength)
    throw invalid(`filter is longer than ${FILTER_LIMITS.maxLength} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    throw invalid('filter contains control characters');
  if (text.trim() === '') throw invalid('filter is empty');
  return new Parser(text, resource).parse();
}
