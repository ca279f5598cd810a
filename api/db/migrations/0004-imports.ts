import { Migration } from '@mikro-orm/migrations';

/**
 * CSV import jobs. BullMQ (Redis) dispatches them; this table is their durable record: the
 * state an API answers with, the progress, the report and timings, and what the worker uses to
 * find jobs that a lost Redis forgot.
 */
export class Migration0004Imports extends Migration {
  override name = '0004-imports';

  override up(): void {
    this.addSql(`create table import_jobs (
      id text collate "C" primary key,
      state text not null check (state in ('queued', 'active', 'retrying', 'completed', 'rejected', 'failed')),
      package_path text not null,
      package_sha256 text not null,
      package_bytes bigint not null,
      dry_run boolean not null default false,
      strict boolean not null default false,
      attempts integer not null default 0,
      progress jsonb,
      result jsonb,
      outcome text,
      rows bigint,
      data_version text,
      error text,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz
    )`);
    this.addSql('create index import_jobs_state on import_jobs (state, created_at)');
  }

  override down(): void {
    this.addSql('drop table import_jobs');
  }
}
