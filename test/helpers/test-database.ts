import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { requiredEnv } from './env.js';

/** A fresh, empty database on the shared test server; each test file makes its own. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** The first column of the first row of `sql`, as text. */
  scalar(sql: string): Promise<string>;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: requiredEnv('DATABASE_URL') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `rh_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`create database ${name} template template0`));
  const url = new URL(requiredEnv('DATABASE_URL'));
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    scalar: async (sql) => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        return String((await client.query<{ v: unknown }>(sql)).rows[0]?.v);
      } finally {
        await client.end();
      }
    },
    drop: () =>
      withAdmin((client) => client.query(`drop database if exists ${name} with (force)`)).then(
        () => undefined,
      ),
  };
}
