import type { Pool, QueryResult, QueryResultRow } from 'pg';

/**
 * How DATABASE_URL reaches PostgreSQL. `session`: straight, or through a pooler that gives each
 * client a server connection of its own. `transaction`: a pooler in transaction mode (PgBouncer,
 * RDS Proxy, …), where each transaction may run on another server connection, which the next
 * client then gets with whatever the session set.
 */
export const POOL_MODES = ['session', 'transaction'] as const;
export type PoolMode = (typeof POOL_MODES)[number];

/** The API's read statements: the ones a caller shapes (filters, sorts, offsets), so they need a timeout. */
export interface ReadQueries {
  /** Runs `sql`; `name` asks for a statement prepared once per connection where that is possible. */
  query<R extends QueryResultRow>(sql: string, values: unknown[], name?: string): Promise<QueryResult<R>>;
}

/**
 * Reads on `pool`. In session mode the pool's connections carry the statement timeout from their
 * start, and hot statements are prepared. Behind a transaction pooler neither can be: a session
 * setting would pass to other clients with the server connection, and a prepared statement
 * would be missing on the next one. There each read is a transaction of its own that sets the
 * timeout locally.
 */
export function readQueries(pool: Pool, mode: PoolMode, statementTimeoutMs: number | undefined): ReadQueries {
  if (mode === 'session')
    return {
      query: (sql, values, name) =>
        name ? pool.query({ name, text: sql, values }) : pool.query(sql, values),
    };
  const begin = statementTimeoutMs
    ? `begin; set local statement_timeout = ${Math.trunc(statementTimeoutMs)}`
    : 'begin';
  return {
    async query<R extends QueryResultRow>(sql: string, values: unknown[]) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const result = await client.query<R>(sql, values);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((failure: unknown) => {
          // the connection itself failed: the pool must not hand it out again
          broken = failure instanceof Error ? failure : new Error(String(failure));
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}
