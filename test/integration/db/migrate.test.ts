import pg from 'pg';
import { Database } from '../../../api/db/database.js';
import { migrate, pendingMigrations } from '../../../api/db/migrate.js';
import { MIGRATIONS_TABLE, migrationsList } from '../../../api/db/migrations/index.js';
import { startApi } from '../../helpers/api-under-test.js';
import { requiredEnv } from '../../helpers/env.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

let database: TestDatabase;

beforeEach(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await database.drop();
});

async function appliedMigrationRows(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE} order by id`);
    return result.rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('migrations at start-up', () => {
  it('When two processes start at once on an empty database, then the schema is migrated exactly once and both succeed', async () => {
    const [first, second] = await Promise.all([
      Database.open({ url: database.url, poolMax: 2 }),
      Database.open({ url: database.url, poolMax: 2 }),
    ]);
    try {
      const results = await Promise.all([migrate(first, database.url), migrate(second, database.url)]);
      const names = migrationsList.map((m) => m.name);
      expect(results.map((applied) => applied.length).sort()).toEqual([0, names.length]);
      expect(await appliedMigrationRows(database.url)).toEqual(names);
      expect(await pendingMigrations(first)).toEqual([]);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('When the API starts without migrating on an empty database, then /readyz answers 503 naming the pending migrations', async () => {
    const under = await startApi({
      DATABASE_URL: database.url,
      REDIS_URL: requiredEnv('REDIS_URL'),
      MIGRATE_ON_START: 'false',
    });
    try {
      const response = await fetch(`${under.healthUrl}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as {
        failing: string[];
        details: { migrations: { message: string } };
      };
      expect(body.failing).toEqual(['migrations']);
      expect(body.details.migrations.message).toContain(migrationsList[0]!.name);

      await migrate(under.api.database, database.url);
      expect((await fetch(`${under.healthUrl}/readyz`)).status).toBe(200);
    } finally {
      await under.api.shutdown();
    }
  });
});
