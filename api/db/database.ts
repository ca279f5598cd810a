import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Pool } from 'pg';
import { postgresTls } from '../../lib/db/postgres-tls.js';
import { entities } from './entities.js';
import { MIGRATIONS_TABLE, migrationsList } from './migrations/index.js';

export interface DatabaseOptions {
  url: string;
  poolMax: number;
  /** PostgreSQL statement_timeout for every pooled connection; none when absent. */
  statementTimeoutMs?: number;
}

/** The ORM and the pg pool under it; `close()` is idempotent. */
export class Database {
  #closing: Promise<void> | undefined;

  private constructor(
    readonly orm: MikroORM,
    readonly pool: Pool,
  ) {}

  static async open(options: DatabaseOptions): Promise<Database> {
    // The ORM takes host, port, user and database from the URL and drops its query: TLS goes
    // to the pg driver explicitly.
    const { ssl } = postgresTls(options.url);
    const orm = await MikroORM.init({
      clientUrl: options.url,
      entities,
      pool: { min: 0, max: options.poolMax },
      driverOptions: {
        ...(ssl ? { ssl } : {}),
        ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
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
    return new Database(orm, pool);
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
