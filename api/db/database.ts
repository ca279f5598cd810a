import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Pool } from 'pg';
import { postgresTls } from '../../lib/db/postgres-tls.js';
import { entities } from './entities.js';
import { readQueries, type PoolMode, type ReadQueries } from './read-queries.js';
import { MIGRATIONS_TABLE, migrationsList } from './migrations/index.js';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** PostgreSQL statement_timeout of the reads (see ReadQueries); none when absent. */
  statementTimeoutMs?: number;
  /** @default 'session' */
  poolMode?: PoolMode;
}

/** The ORM, the pg pool under it and the API's reads on that pool; `close()` is idempotent. */
export class Database {
  #closing: Promise<void> | undefined;

  private constructor(
    readonly orm: MikroORM,
    readonly pool: Pool,
    readonly reads: ReadQueries,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    // The ORM takes host, port, user and database from the URL and drops its query: TLS goes
    // to the pg driver explicitly.
    const { ssl } = postgresTls(options.url);
    const poolMode = options.poolMode ?? 'session';
    // a session setting sent at connection start: PgBouncer refuses it, other poolers pass it on
    const sessionTimeout = poolMode === 'session' ? options.statementTimeoutMs : undefined;
    const orm = await MikroORM.init({
      clientUrl: options.url,
      entities,
      pool: { min: 0, max: options.poolMax },
      driverOptions: {
        ...(ssl ? { ssl } : {}),
        ...(sessionTimeout ? { statement_timeout: sessionTimeout } : {}),
      },
      extensions: [Migrator],
      migrations: {
        tableName: MIGRATIONS_TABLE,
        migrationsList,
        snapshot: false,
        snapshotOnMigrate: false,
        silent: true,
      },
      allowGlobalContext: false,
      debug: false,
    });
    const pool = await orm.em.getConnection().getNativeClient();
    return new Database(orm, pool, readQueries(pool, poolMode, options.statementTimeoutMs));
  }

  /** Connections currently checked out of the pool. */
  activeConnections(): number {
    return this.pool.totalCount - this.pool.idleCount;
  }

  async ping(): Promise<void> {
    await this.pool.query('select 1');
  }

  close(): Promise<void> {
    this.#closing ??= this.orm.close(true);
    return this.#closing;
  }
}
