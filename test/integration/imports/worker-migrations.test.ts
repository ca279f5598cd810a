import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../../../api/db/database.js';
import { migrate, pendingMigrations } from '../../../api/db/migrate.js';
import { loadWorkerConfig } from '../../../api/worker/config.js';
import { ImportWorker } from '../../../api/worker/import-worker.js';
import { requiredEnv } from '../../helpers/env.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { createTestDatabase } from '../../helpers/test-database.js';

describe('The import worker and migrations', () => {
  it('When MIGRATE_ON_START is false (a cluster: the migration Job migrates), then the worker leaves the schema alone, says what it waits for, and starts once the migrations are applied', async () => {
    const database = await createTestDatabase();
    const { logger, lines } = memoryLogger();
    const worker = new ImportWorker(
      loadWorkerConfig({
        DATABASE_URL: database.url,
        REDIS_URL: requiredEnv('REDIS_URL'),
        MIGRATE_ON_START: 'false',
      }),
      logger,
    );
    const reader = await Database.open({ url: database.url, poolMax: 1 });
    try {
      let started = false;
      const starting = worker.start().then(() => (started = true));
      const waiting = () =>
        lines().some((line) => String(line.message).startsWith('waiting for the migration Job to apply'));
      while (!waiting()) await sleep(50);
      expect(started).toBe(false);
      expect((await pendingMigrations(reader)).length).toBeGreaterThan(0);

      await migrate(reader, database.url); // what the migration Job does
      await starting;
      expect(started).toBe(true);
      expect(await pendingMigrations(reader)).toEqual([]);
    } finally {
      await worker.close(1000);
      await reader.close();
      await database.drop();
    }
  });
});
