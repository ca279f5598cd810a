import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import type { Queryable } from '../../../api/data/data-version.js';
import { ImportMetrics } from '../../../api/imports/import-metrics.js';
import type { ImportJobData } from '../../../api/imports/import-queue.js';
import { memoryLogger } from '../../helpers/memory-logger.js';

/** A stand-in for PostgreSQL that answers the three import queries and counts them. */
function countingDatabase(state: { queries: number; completed: number }): Queryable {
  return {
    query: (sql: string) => {
      state.queries += 1;
      if (sql.includes('group by state'))
        return Promise.resolve({ rows: [{ state: 'completed', n: String(state.completed) }] });
      if (sql.includes('sum(rows)')) return Promise.resolve({ rows: [{ n: '500' }] });
      return Promise.resolve({ rows: [{ s: 2.5 }] });
    },
  } as unknown as Queryable;
}

const queue = {
  name: 'csv-import',
  getJobCounts: () => Promise.resolve({ waiting: 1, active: 0 }),
} as unknown as Queue<ImportJobData>;

describe('import metrics', () => {
  it('When /metrics is scraped again and again, then no scrape runs a query; the figures change only when refreshed', async () => {
    const state = { queries: 0, completed: 3 };
    const registry = new Registry();
    const metrics = new ImportMetrics(registry, countingDatabase(state), queue, memoryLogger().logger);
    await metrics.refresh();
    const afterRefresh = state.queries;
    expect(afterRefresh).toBeGreaterThan(0);

    state.completed = 4;
    for (let scrape = 0; scrape < 20; scrape += 1) await registry.metrics();
    expect(state.queries).toBe(afterRefresh);
    const text = await registry.metrics();
    expect(text).toMatch(/^csv_import_jobs_total\{status="completed"\} 3$/m);
    expect(text).toMatch(/^csv_import_rows_total 500$/m);
    expect(text).toMatch(/^csv_import_duration_seconds_count 1$/m);
    expect(text).toMatch(/^bullmq_job_count\{queue="csv-import",state="waiting"\} 1$/m);

    await metrics.refresh();
    expect(await registry.metrics()).toMatch(/^csv_import_jobs_total\{status="completed"\} 4$/m);
  });

  it('When PostgreSQL fails during a refresh, then the figures keep their last values', async () => {
    const state = { queries: 0, completed: 2 };
    const registry = new Registry();
    const database = countingDatabase(state);
    const metrics = new ImportMetrics(registry, database, queue, memoryLogger().logger);
    await metrics.refresh();
    database.query = () => Promise.reject(new Error('connection refused'));
    await metrics.refresh();
    expect(await registry.metrics()).toMatch(/^csv_import_jobs_total\{status="completed"\} 2$/m);
  });
});
