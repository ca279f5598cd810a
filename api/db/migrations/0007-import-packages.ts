import { Migration } from '@mikro-orm/migrations';

/**
 * Uploaded import packages live in PostgreSQL, which the API, the worker and `rosterhub import`
 * all reach, instead of a folder that only one Pod can see. A package is a list of files (a zip
 * is one file named ''), each stored as fixed-size chunks; bytea kept uncompressed out of line
 * (storage external), so that a zip's directory and entries are read by range without
 * de-toasting whole chunks. `package_path` stays, nullable, for API versions still rolling out.
 */
export class Migration0007ImportPackages extends Migration {
  override name = '0007-import-packages';

  override up(): void {
    this.addSql(`create table import_packages (
      id uuid primary key default gen_random_uuid(),
      kind text not null check (kind in ('zip', 'folder')),
      sha256 text,
      bytes bigint not null default 0,
      complete boolean not null default false,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create table import_package_files (
      package_id uuid not null references import_packages (id) on delete cascade,
      name text collate "C" not null,
      bytes bigint not null default 0,
      primary key (package_id, name)
    )`);
    this.addSql(`create table import_package_chunks (
      package_id uuid not null,
      name text collate "C" not null,
      seq integer not null,
      data bytea not null,
      primary key (package_id, name, seq),
      foreign key (package_id, name) references import_package_files (package_id, name) on delete cascade
    )`);
    this.addSql('alter table import_package_chunks alter column data set storage external');
    this.addSql(
      'alter table import_jobs add column package_id uuid references import_packages (id) on delete set null',
    );
    this.addSql('create index import_jobs_package on import_jobs (package_id)');
    this.addSql('alter table import_jobs alter column package_path drop not null');
  }

  override down(): void {
    this.addSql('alter table import_jobs drop column package_id');
    this.addSql('drop table import_package_chunks');
    this.addSql('drop table import_package_files');
    this.addSql('drop table import_packages');
  }
}
