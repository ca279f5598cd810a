import pg from 'pg';

/** Anything that runs a query: a pool, a pooled client or a client (inside a transaction, too). */
export interface Queryable {
  query<R extends pg.QueryResultRow>(sql: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The NOTIFY channel an import signals on when it bumps the data version. */
export const DATA_VERSION_CHANNEL = 'rosterhub_data_version';

/**
 * The current roster data version as `<database epoch>.<counter>`: the epoch is random per
 * database, so two databases behind one Redis never share cache entries.
 */
export async function readDataVersion(db: Queryable): Promise<string> {
  const result = await db.query<{ version: string }>(
    `select epoch || '.' || version as version from rosterhub_data_version where id = 1`,
  );
  return result.rows[0]?.version ?? '0';
}

/**
 * Bumps the data version and notifies API processes (inside a transaction, the notification is
 * delivered at commit). Every writer of roster data calls this after its change.
 */
export async function bumpDataVersion(db: Queryable): Promise<string> {
  const result = await db.query<{ version: string }>(
    `with bumped as (
       update rosterhub_data_version set version = version + 1, updated_at = now() where id = 1
       returning epoch || '.' || version as version
     )
     select version, pg_notify('${DATA_VERSION_CHANNEL}', version) from bumped`,
  );
  return result.rows[0]?.version ?? '0';
}

/**
 * A dedicated connection that LISTENs for data-version notifications and reconnects after
 * failures. `start()` connects; `close()` is idempotent.
 */
export class DataVersionListener {
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly onVersion: (version: string) => void,
    private readonly onReconnect: () => void,
  ) {}

  async start(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.channel === DATA_VERSION_CHANNEL && message.payload) this.onVersion(message.payload);
    });
    client.on('error', () => this.#scheduleReconnect(client));
    client.on('end', () => this.#scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`listen ${DATA_VERSION_CHANNEL}`);
      this.#client = client;
      this.onReconnect();
    } catch {
      this.#scheduleReconnect(client);
    }
  }

  #scheduleReconnect(client: pg.Client): void {
    if (this.#closed || this.#retry) return;
    if (this.#client === client) this.#client = undefined;
    // the connection has failed already; ending it only frees what is left of it
    client.end().catch(() => undefined);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.start();
    }, 1000);
    this.#retry.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    // closing: a listener connection that fails to end has nothing left to lose
    await client?.end().catch(() => undefined);
  }
}
