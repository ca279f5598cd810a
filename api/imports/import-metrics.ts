import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
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
 * Import metrics on the API's /metrics. Jobs run in the worker process, so the figures are read
 * at scrape time from their durable records (the same in every API replica) and from the queue:
 * `csv_import_jobs_total{status}`, `csv_import_rows_total`, `csv_import_duration_seconds` and
 * `bullmq_job_count{queue,state}`.
 */
export function registerImportMetrics(registry: Registry, db: Queryable, queue: Queue<ImportJobData>): void {
  new Counter({
    name: 'csv_import_jobs_total',
    help: 'CSV import jobs by status (queued, active, retrying, completed, rejected, failed)',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const result = await db
        .query<{ state: string; n: string }>('select state, count(*) as n from import_jobs group by state')
        .catch(() => undefined);
      if (!result) return;
      this.reset();
      for (const row of result.rows) this.inc({ status: row.state }, Number(row.n));
    },
  });
  new Counter({
    name: 'csv_import_rows_total',
    help: 'Rows read by completed CSV imports',
    registers: [registry],
    async collect() {
      const result = await db
        .query<{ n: string | null }>(`select sum(rows) as n from import_jobs where state = 'completed'`)
        .catch(() => undefined);
      if (!result) return;
      this.reset();
      this.inc(Number(result.rows[0]?.n ?? 0));
    },
  });
  new Histogram({
    name: 'csv_import_duration_seconds',
    help: 'Duration of finished CSV imports (start to end of the last attempt)',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
    async collect() {
      const result = await db
        .query<{ s: number }>(
          `select extract(epoch from finished_at - started_at)::float8 as s from import_jobs
           where finished_at is not null and started_at is not null order by finished_at desc limit 10000`,
        )
        .catch(() => undefined);
      if (!result) return;
      this.reset();
      for (const row of result.rows) this.observe(row.s);
    },
  });
  new Gauge({
    name: 'bullmq_job_count',
    help: 'Jobs in the BullMQ queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts(...STATES).catch(() => undefined);
      if (!counts) return;
      for (const state of STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
    },
  });
}
