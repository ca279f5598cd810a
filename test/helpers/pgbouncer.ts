import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from './free-port.js';

/** Debian's PgBouncer refuses to run as root; as root it runs as the `postgres` system user. */
async function runAsUser(): Promise<{ uid: number; gid: number; name: string } | undefined> {
  if (userInfo().uid !== 0) return undefined;
  const passwd = await readFile('/etc/passwd', 'utf8');
  const entry = passwd.split('\n').find((line) => line.startsWith('postgres:'));
  const [, , uid, gid] = entry?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new Error('running as root, but there is no postgres user to run PgBouncer as');
  return { uid: Number(uid), gid: Number(gid), name: 'postgres' };
}

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
    const owner = await runAsUser();
    if (owner) {
      await chown(dir, owner.uid, owner.gid);
      for (const file of ['userlist.txt', 'pgbouncer.ini'])
        await chown(join(dir, file), owner.uid, owner.gid);
    }
    await chmod(dir, 0o700);
    const bouncer = new OwnPgBouncer(port, dir, upstream);
    await bouncer.#start(owner?.name);
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

  async #start(user: string | undefined): Promise<void> {
    const command = '/usr/sbin/pgbouncer';
    const config = join(this.dir, 'pgbouncer.ini');
    const child = user ? spawn('runuser', ['-u', user, '--', command, config]) : spawn(command, [config]);
    this.#process = child;
    child.stdout.on('data', (chunk: Buffer) => (this.#log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (this.#log += chunk.toString()));
    const probeUrl = new URL(this.upstream);
    probeUrl.hostname = '127.0.0.1';
    probeUrl.port = String(this.port);
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`pgbouncer exited with code ${child.exitCode}: ${this.#log}`);
      const probe = new pg.Client({ connectionString: probeUrl.toString() });
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
