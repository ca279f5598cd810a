import { Migration } from '@mikro-orm/migrations';

/** OAuth clients remember when their secret was rotated: tokens issued before it are void. */
export class Migration0010ClientSecretRotation extends Migration {
  override name = '0010-client-secret-rotation';

  override up(): void {
    this.addSql('alter table api_clients add column secret_rotated_at timestamptz');
  }

  override down(): void {
    this.addSql('alter table api_clients drop column secret_rotated_at');
  }
}
