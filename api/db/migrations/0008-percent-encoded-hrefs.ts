import { Migration } from '@mikro-orm/migrations';
import { DOCUMENT_RESOURCES, TABLES } from '../../data/sql-builder.js';
import { renderExpression, renderFunctionSql } from './render-functions.js';

/**
 * GUIDRef hrefs percent-encode their sourcedId (`sis/1` → `sis%2F1`): the render functions get
 * the new expression, and the stored documents it changes are rendered again (only rows whose
 * ids need encoding are written).
 */
export class Migration0008PercentEncodedHrefs extends Migration {
  override name = '0008-percent-encoded-hrefs';

  override up(): void {
    for (const resource of DOCUMENT_RESOURCES) {
      const table = TABLES[resource];
      this.addSql(renderFunctionSql(resource));
      // the update trigger renders rows whose doc is set to NULL
      this.addSql(
        `update ${table} as stored set doc = null
         where stored.doc is distinct from (select ${renderExpression(resource)} from (select stored.*) t)`,
      );
    }
  }

  override down(): void {
    // Encoded hrefs are valid URLs for every id; there is nothing to undo.
  }
}
