import type { Queryable } from '../data/data-version.js';
import type { ImportProgress, ImportResult } from './importer.js';

export type JobState = 'queued' | 'active' | 'retrying' | 'completed' | 'rejected' | 'failed';

/** An import job as the API reports it. */
export interface ImportJobView {
  id: string;
  state: JobState;
  outcome: string | null;
  dryRun: boolean;
  strict: boolean;
  attempts: number;
  package: { sha256: string; bytes: number };
  progress: ImportProgress | null;
  rows: number | null;
  dataVersion: string | null;
  error: string | null;
  result: Omit<ImportResult, 'files'> | null;
  timings: { createdAt: string; startedAt: string | null; finishedAt: string | null; seconds: number | null };
}

interface Row {
  id: string;
  state: JobState;
  package_id: string | null;
  package_sha256: string;
  package_bytes: string;
  dry_run: boolean;
  strict: boolean;
  attempts: number;
  progress: ImportProgress | null;
  result: ImportResult | null;
  outcome: string | null;
  rows: string | null;
  data_version: string | null;
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

/** What a new job is made of. */
export interface NewJob {
  id: string;
  packageId: string;
  sha256: string;
  bytes: number;
  dryRun: boolean;
  strict: boolean;
}

/** pg gives Dates, or strings on pools whose type parsers were changed (MikroORM's). */
const iso = (value: Date | string | null): string | null =>
  value === null ? null : new Date(value).toISOString();

function view(row: Row): ImportJobView {
  let result: Omit<ImportResult, 'files'> | null = null;
  if (row.result) {
    const { files: _files, ...rest } = row.result;
    result = rest;
  }
  return {
    id: row.id,
    state: row.state,
    outcome: row.outcome,
    dryRun: row.dry_run,
    strict: row.strict,
    attempts: row.attempts,
    package: { sha256: row.package_sha256, bytes: Number(row.package_bytes) },
    progress: row.progress,
    rows: row.rows === null ? null : Number(row.rows),
    dataVersion: row.data_version,
    error: row.error,
    result,
    timings: {
      createdAt: iso(row.created_at) ?? '',
      startedAt: iso(row.started_at),
      finishedAt: iso(row.finished_at),
      seconds:
        row.started_at && row.finished_at
          ? Math.round((new Date(row.finished_at).getTime() - new Date(row.started_at).getTime()) / 10) / 100
          : null,
    },
  };
}

/** The `import_jobs` table: the durable record of every import. */
export class ImportJobStore {
  constructor(private readonly db: Queryable) {}

  async find(id: string): Promise<ImportJobView | undefined> {
    const result = await this.db.query<Row>('select * from import_jobs where id = $1', [id]);
    const row = result.rows[0];
    return row ? view(row) : undefined;
  }

  /** The most recent jobs, newest first. */
  async latest(limit: number): Promise<ImportJobView[]> {
    const result = await this.db.query<Row>(
      'select * from import_jobs order by created_at desc, id limit $1',
      [limit],
    );
    return result.rows.map(view);
  }

  /** The stored package of a job (none once the job finished, or for jobs of earlier versions). */
  async packageId(id: string): Promise<string | undefined> {
    const result = await this.db.query<{ package_id: string | null }>(
      'select package_id from import_jobs where id = $1',
      [id],
    );
    return result.rows[0]?.package_id ?? undefined;
  }

  /**
   * Creates the job, or resets a finished one to queued (a new run of the same package).
   * Returns the package the job had before, which the caller removes.
   */
  async upsertQueued(job: NewJob): Promise<string | undefined> {
    const result = await this.db.query<{ previous: string | null }>(
      `with previous as (select package_id from import_jobs where id = $1)
       insert into import_jobs (id, state, package_id, package_sha256, package_bytes, dry_run, strict)
       values ($1, 'queued', $2, $3, $4, $5, $6)
       on conflict (id) do update set state = 'queued', package_id = excluded.package_id, package_path = null,
         attempts = 0, progress = null, result = null, outcome = null, rows = null, data_version = null,
         error = null, created_at = now(), started_at = null, finished_at = null
       returning (select package_id from previous) as previous`,
      [job.id, job.packageId, job.sha256, job.bytes, job.dryRun, job.strict],
    );
    return result.rows[0]?.previous ?? undefined;
  }

  /** A run starts: every run counts, also one that resumes a job whose worker died (a stall). */
  async markActive(id: string, attempt: number): Promise<void> {
    await this.db.query(
      `update import_jobs set state = 'active', attempts = greatest(attempts + 1, $2), started_at = coalesce(started_at, now()), error = null
       where id = $1 and state in ('queued', 'active', 'retrying')`,
      [id, attempt],
    );
  }

  async saveProgress(id: string, progress: ImportProgress): Promise<void> {
    await this.db.query(`update import_jobs set progress = $2 where id = $1 and state = 'active'`, [
      id,
      JSON.stringify(progress),
    ]);
  }

  /** Records the end of a run (inside the import transaction for applied imports). */
  async finish(db: Queryable, id: string, state: JobState, result: ImportResult): Promise<void> {
    await db.query(
      `update import_jobs set state = $2, outcome = $3, result = $4, rows = $5, data_version = $6,
         progress = jsonb_build_object('phase', 'done', 'files', $7::jsonb), finished_at = clock_timestamp()
       where id = $1`,
      [
        id,
        state,
        result.outcome,
        JSON.stringify(result),
        result.rows,
        result.dataVersion ?? null,
        JSON.stringify(result.files),
      ],
    );
  }

  async fail(id: string, state: 'retrying' | 'failed', error: string): Promise<void> {
    await this.db.query(
      `update import_jobs set state = $2, error = $3, finished_at = case when $2 = 'failed' then clock_timestamp() end
       where id = $1 and state in ('queued', 'active', 'retrying')`,
      [id, state, error],
    );
  }

  /** Jobs not finished yet, oldest first (the worker checks that the queue still has them). */
  async unfinished(olderThanSeconds: number): Promise<{ id: string; dryRun: boolean; strict: boolean }[]> {
    const result = await this.db.query<{ id: string; dry_run: boolean; strict: boolean }>(
      `select id, dry_run, strict from import_jobs where state in ('queued', 'active', 'retrying')
         and created_at < now() - make_interval(secs => $1) order by created_at`,
      [olderThanSeconds],
    );
    return result.rows.map((row) => ({ id: row.id, dryRun: row.dry_run, strict: row.strict }));
  }
}
