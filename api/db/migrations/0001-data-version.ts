import { Migration } from '@mikro-orm/migrations';

export class Migration0001DataVersion extends Migration {
  override name = '0001-data-version';

  override up(): void {
    this.addSql(`create table rosterhub_data_version (
      id integer primary key check (id = 1),
      version bigint not null,
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`insert into rosterhub_data_version (id, version) values (1, 0)`);
  }

  override down(): void {
    this.addSql('drop table rosterhub_data_version');
  }
}
