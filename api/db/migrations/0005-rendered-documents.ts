import { Migration } from '@mikro-orm/migrations';
import { DOCUMENT_RESOURCES, TABLES, objectText } from '../../data/sql-builder.js';

/**
 * Each row of the larger tables keeps its OneRoster JSON, rendered by a trigger on every insert
 * and update (COPY and upserts included), so a page read concatenates documents instead of
 * building JSON per row. GUIDRef hrefs are stored relative (`/ims/…`) and made absolute at read
 * time. The expression is the read path's own builder; a change to rendering needs a new
 * migration that replaces these functions and touches the rows.
 */
export class Migration0005RenderedDocuments extends Migration {
  override name = '0005-rendered-documents';

  override up(): void {
    for (const resource of DOCUMENT_RESOURCES) {
      const table = TABLES[resource];
      const expression = objectText(resource, undefined, () => `''`);
      this.addSql(`alter table ${table} add column doc text`);
      this.addSql(`create function rh_render_${table}() returns trigger language plpgsql as $fn$
        begin
          NEW.doc := (select (${expression})::text from (select NEW.*) t);
          return NEW;
        end $fn$`);
      this.addSql(
        `create trigger ${table}_render before insert or update on ${table} for each row execute function rh_render_${table}()`,
      );
      this.addSql(`update ${table} set doc = null`);
    }
  }

  override down(): void {
    for (const resource of DOCUMENT_RESOURCES) {
      const table = TABLES[resource];
      this.addSql(`drop trigger ${table}_render on ${table}`);
      this.addSql(`drop function rh_render_${table}()`);
      this.addSql(`alter table ${table} drop column doc`);
    }
  }
}
