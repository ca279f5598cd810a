import { jest } from '@jest/globals';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Database } from '../../../api/db/database.js';
import { migrate } from '../../../api/db/migrate.js';
import { startCli } from '../../helpers/cli-process.js';
import { freePort } from '../../helpers/free-port.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';

jest.setTimeout(120_000);

let database: TestDatabase;
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  const db = await Database.open({ url: database.url, poolMax: 1 });
  await migrate(db, database.url);
  await db.close();
  dir = await mkdtemp(join(tmpdir(), 'rh-backup-command-'));
});

afterAll(async () => {
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

/** A TCP forwarder to PostgreSQL on `port`, as a database that starts accepting connections late. */
function forwarderTo(target: URL, port: number): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('rosterhub backup', () => {
  it('When PostgreSQL refuses connections for the first seconds (starting, or a NetworkPolicy not applied yet), then the backup waits for it and succeeds', async () => {
    const target = new URL(database.url);
    const port = await freePort();
    const late = new URL(database.url);
    late.port = String(port);
    const backup = startCli(['backup'], {
      DATABASE_URL: late.toString(),
      BACKUP_DESTINATION: 'pvc',
      BACKUP_DIR: dir,
      HOME: dir,
    });
    await sleep(2000);
    const forwarder = await forwarderTo(target, port);
    try {
      const run = await backup.done;
      expect(run.stdout + run.stderr).toContain('waiting for PostgreSQL');
      expect(run.code).toBe(0);
      const written = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { name: string };
      expect(await readdir(dir)).toContain(written.name);
    } finally {
      forwarder.close();
    }
  });
});
