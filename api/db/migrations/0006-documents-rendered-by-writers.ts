import { Migration } from '@mikro-orm/migrations';
import { DOCUMENT_RESOURCES, TABLES } from '../../data/sql-builder.js';
import { renderFunctionSql } from './render-functions.js';

/**
 * A writer may now supply `doc` itself, rendered set-based in its own statement (an import
 * renders millions of rows several times faster that way than a per-row trigger can); the
 * trigger renders only rows whose writer did not: an insert without a doc, or an update that
 * leaves doc as it was or sets it to NULL. The functions use the text renderer, whose output is
 * byte for byte the previous one's, so stored documents stay valid.
 */
export class Migration0006DocumentsRenderedByWriters extends Migration {
  override name = '0006-documents-rendered-by-writers';

  override up(): void {
    for (const resource of DOCUMENT_RESOURCES) {
      const table = TABLES[resource];
      this.addSql(renderFunctionSql(resource));
      this.addSql(`drop trigger ${table}_render on ${table}`);
      this.addSql(
        `create trigger ${table}_render_insert before insert on ${table} for each row
         when (NEW.doc is null) execute function rh_render_${table}()`,
      );
      this.addSql(
        `create trigger ${table}_render_update before update on ${table} for each row
         when (NEW.doc is null or NEW.doc = OLD.doc) execute function rh_render_${table}()`,
      );
    }
  }

  override down(): void {
    for (const resource of DOCUMENT_RESOURCES) {
      const table = TABLES[resource];
      this.addSql(`drop trigger ${table}_render_insert on ${table}`);
      this.addSql(`drop trigger ${table}_render_update on ${table}`);
      this.addSql(
        `create trigger ${table}_render before insert or update on ${table} for each row execute function rh_render_${table}()`,
      );
    }
  }
}
