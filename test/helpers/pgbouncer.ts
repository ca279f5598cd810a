import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port.js';
import { giveToServerUser, serverUserCommand } from './server-user.js';

/**
 * A real PgBouncer (Debian's package) on loopback in front of the test PostgreSQL, in
 * transaction mode with a small pool: consecutive statements of one client land on different
 * server connections, and server connections pass from client to client, as at a district whose
 * managed PostgreSQL sits behind a transaction pooler.
 */
export class OwnPgBouncer {
  #process: ChildProcess | undefined;
  #log = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly upstream: URL,
  ) {}

  static async start(postgresUrl: string, poolSize = 2): Promise<OwnPgBouncer> {
    const upstream = new URL(postgresUrl);
    const dir = await mkdtemp('/tmp/rh-pgbouncer-');
    const port = await freePort();
    const user = decodeURIComponent(upstream.username);
    await writeFile(join(dir, 'userlist.txt'), `"${user}" ""\n`);
    await writeFile(
      join(dir, 'pgbouncer.ini'),
      [
        '[databases]',
        `* = host=${upstream.hostname} port=${upstream.port}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(dir, 'userlist.txt')}`,
        'pool_mode = transaction',
        `default_pool_size = ${poolSize}`,
        'max_client_conn = 500',
        'max_db_connections = 0',
        'server_reset_query =',
        'log_connections = 0',
        'log_disconnections = 0',
        '',
      ].join('\n'),
    );
    await giveToServerUser(dir);
    await chmod(dir, 0o700);
    const bouncer = new OwnPgBouncer(port, dir, upstream);
    await bouncer.#start();
    return bouncer;
  }

  /** `url` with its host and port replaced by PgBouncer's. */
  urlFor(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  /** What PgBouncer printed (errors name the cause of a refused connection). */
  get log(): string {
    return this.#log;
  }

  async #start(): Promise<void> {
    const child = spawn(...serverUserCommand('/usr/sbin/pgbouncer', [join(this.dir, 'pgbouncer.ini')]));
    this.#process = child;
    child.stdout.on('data', (chunk: Buffer) => (this.#log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.#log += chunk.toString()));
    const probeUrl = this.urlFor(this.upstream.toString());
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`pgbouncer exited with code ${child.exitCode}: ${this.#log}`);
      const probe = new pg.Client({ connectionString: probeUrl });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.query('select 1');
        return;
      } catch {
        await sleep(50);
      } finally {
        await probe.end().catch(() => undefined);
      }
    }
  }

  async destroy(): Promise<void> {
    const child = this.#process;
    if (child?.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}
