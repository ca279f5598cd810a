import { Migration } from '@mikro-orm/migrations';
import { cascadeStatements } from '../../imports/cascade-deletions.js';

/**
 * Imports now mark tobedeleted what depends on a deleted record (imports/cascade-deletions.ts);
 * this applies the rule once to the data stored before it: active enrollments of tobedeleted
 * users or classes, classes of tobedeleted courses or schools, and so on.
 */
export class Migration0009DeletionsReachDependents extends Migration {
  override name = '0009-deletions-reach-dependents';

  override up(): void {
    for (const { sql } of cascadeStatements('now()', 'all')) this.addSql(sql);
  }

  override down(): void {
    // Which rows were active before cannot be told apart afterwards; the next import restores them.
  }
}
