import { BadRequestError } from '../errors.js';
import { parseFilter, type FilterNode } from './filter-parser.js';
import { SORTABLE_KINDS, fieldOf, type FieldDef, type ResourceDef } from './resources.js';

/** Query parameters as Express hands them over (repeated keys become arrays). */
export type RawQuery = Readonly<Record<string, unknown>>;

export interface SortSpec {
  readonly field: FieldDef;
  readonly desc: boolean;
}

/** Validated collection parameters. */
export interface ListParams {
  readonly limit: number;
  readonly offset: number;
  readonly sort: SortSpec;
  readonly filter: FilterNode | undefined;
  /** The filter as sent (part of cache keys and Link headers). */
  readonly filterText: string | undefined;
  /** Selected fields in the resource's order, or undefined for all. */
  readonly fields: readonly FieldDef[] | undefined;
}

export const DEFAULT_LIMIT = 100;
const MAX_OFFSET = 2 ** 31 - 1;

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`query parameter ${name} must be given once`);
  return value;
}

function wholeNumber(query: RawQuery, name: string, min: number): number | undefined {
  const raw = single(query, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min)
    throw new BadRequestError(`${name} must be a whole number of at least ${min}, not ${shown(raw)}`);
  return Number(raw);
}

/** `fields=a,b` (comma-separated, repeatable); unknown names are a 400 `invalid_selection_field`. */
export function parseFields(query: RawQuery, resource: ResourceDef): readonly FieldDef[] | undefined {
  const value = query.fields;
  if (value === undefined) return undefined;
  const parts = (Array.isArray(value) ? value : [value]).flatMap((item) => {
    if (typeof item !== 'string')
      throw new BadRequestError('fields must be a list of field names', 'invalid_selection_field');
    return item.split(',');
  });
  const wanted = new Set<string>();
  for (const part of parts) {
    const name = part.trim();
    if (name === '') continue;
    if (!resource.byName.has(name))
      throw new BadRequestError(`unknown selection field: ${shown(name)}`, 'invalid_selection_field');
    wanted.add(name);
  }
  if (wanted.size === 0) return undefined;
  return resource.fields.filter((field) => wanted.has(field.name));
}

/** Validates limit, offset, sort/orderBy, filter and fields of a collection request. */
export function parseListParams(query: RawQuery, resource: ResourceDef, maxLimit: number): ListParams {
  const limit = Math.min(wholeNumber(query, 'limit', 1) ?? DEFAULT_LIMIT, maxLimit);
  const offset = wholeNumber(query, 'offset', 0) ?? 0;
  if (offset > MAX_OFFSET) throw new BadRequestError(`offset must be at most ${MAX_OFFSET}`);
  const sortName = single(query, 'sort');
  const orderBy = single(query, 'orderBy');
  let sortField = fieldOf(resource, 'sourcedId');
  if (sortName !== undefined && sortName !== '') {
    const field = resource.byName.get(sortName);
    if (!field || !SORTABLE_KINDS.has(field.kind))
      throw new BadRequestError(`invalid sort field: ${shown(sortName)}`);
    sortField = field;
  }
  if (orderBy !== undefined && orderBy !== '' && orderBy !== 'asc' && orderBy !== 'desc')
    throw new BadRequestError(`orderBy must be asc or desc, not ${shown(orderBy)}`);
  const filterText = single(query, 'filter');
  const filter =
    filterText === undefined || filterText === '' ? undefined : parseFilter(filterText, resource);
  return {
    limit,
    offset,
    sort: { field: sortField, desc: orderBy === 'desc' },
    filter,
    filterText: filter ? filterText : undefined,
    fields: parseFields(query, resource),
  };
}

/** A sourcedId from the path: at most 255 characters, no control characters (400 otherwise). */
export function checkSourcedId(value: string, name = 'sourcedId'): string {
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > 255 || /[\u0000-\u001f\u007f]/.test(value))
    throw new BadRequestError(`${name} must be 1 to 255 characters without control characters`);
  return value;
}
