import { TABLES, objectText } from '../../data/sql-builder.js';
import type { ResourceName } from '../../services/resources.js';

/**
 * The SQL that (re)creates a table's `rh_render_<table>()` trigger function with the renderer's
 * current expression, for the migrations that change rendering.
 */
export function renderFunctionSql(resource: ResourceName): string {
  const table = TABLES[resource];
  return `create or replace function rh_render_${table}() returns trigger language plpgsql as $fn$
        begin
          NEW.doc := (select ${renderExpression(resource)} from (select NEW.*) t);
          return NEW;
        end $fn$`;
}

/** The stored-document expression of a row `t` (relative hrefs). */
export const renderExpression = (resource: ResourceName): string =>
  objectText(resource, undefined, () => `''`);
