import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../lib/logging/logger.js';
import type { Queryable } from '../data/data-version.js';
import type { ImportJobData } from './import-queue.js';

const STATES = [
  'waiting',
  'active',
  'delayed',
  'completed',
  'failed',
  'prioritized',
  'waiting-children',
] as const;

/**
 * Import metrics on the API's /metrics: `csv_import_jobs_total{status}`, `csv_import_rows_total`,
 * `csv_import_duration_seconds` and `bullmq_job_count{queue,state}`. Jobs run in the worker
 * process, so the figures come from their durable records (the same in every API replica) and
 * from the queue. They are read on a timer, never by a scrape: scrapes cost no query however
 * often they come. While PostgreSQL or Redis is down the figures keep their last values (/readyz
 * reports the outage).
 */
export class ImportMetrics {
  readonly #jobs: Counter<'status'>;
  readonly #rows: Counter;
  readonly #durations: Histogram;
  readonly #queueJobs: Gauge<'queue' | 'state'>;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    registry: Registry,
    private readonly db: Queryable,
    private readonly queue: Queue<ImportJobData>,
    private readonly logger: Logger,
  ) {
    this.#jobs = new Counter({
      name: 'csv_import_jobs_total',
      help: 'CSV import jobs by status (queued, active, retrying, completed, rejected, failed)',
      labelNames: ['status'] as const,
      registers: [registry],
    });
    this.#rows = new Counter({
      name: 'csv_import_rows_total',
      help: 'Rows read by completed CSV imports',
      registers: [registry],
    });
    this.#durations = new Histogram({
      name: 'csv_import_duration_seconds',
      help: 'Duration of finished CSV imports (start to end of the last attempt)',
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    });
    this.#queueJobs = new Gauge({
      name: 'bullmq_job_count',
      help: 'Jobs in the BullMQ queue by state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
    });
  }

  /** Reads the figures now and then every `intervalMs`. */
  start(intervalMs: number): void {
    void this.refresh();
    this.#timer ??= setInterval(() => void this.refresh(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async refresh(): Promise<void> {
    await Promise.all([this.#refreshJobs(), this.#refreshQueue()]).catch((error: unknown) =>
      this.logger.debug('cannot refresh the import metrics; they keep their last values', { error }),
    );
  }

  async #refreshJobs(): Promise<void> {
    const [states, rows, durations] = await Promise.all([
      this.db.query<{ state: string; n: string }>(
        'select state, count(*) as n from import_jobs group by state',
      ),
      this.db.query<{ n: string | null }>(`select sum(rows) as n from import_jobs where state = 'completed'`),
      this.db.query<{ s: number }>(
        `select extract(epoch from finished_at - started_at)::float8 as s from import_jobs
         where finished_at is not null and started_at is not null order by finished_at desc limit 10000`,
      ),
    ]);
    this.#jobs.reset();
    for (const row of states.rows) this.#jobs.inc({ status: row.state }, Number(row.n));
    this.#rows.reset();
    this.#rows.inc(Number(rows.rows[0]?.n ?? 0));
    this.#durations.reset();
    for (const row of durations.rows) this.#durations.observe(row.s);
  }

  async #refreshQueue(): Promise<void> {
    const counts = await this.queue.getJobCounts(...STATES);
    for (const state of STATES) this.#queueJobs.set({ queue: this.queue.name, state }, counts[state] ?? 0);
  }
}
