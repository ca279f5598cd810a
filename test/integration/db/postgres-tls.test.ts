import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackup } from '../../../api/backup/run-backup.js';
import { FileStore } from '../../../api/backup/stores/file-store.js';
import { Database } from '../../../api/db/database.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { startTlsPostgres, type TlsPostgres } from '../../helpers/tls-postgres.js';

let server: TlsPostgres;

beforeAll(async () => {
  server = await startTlsPostgres();
}, 60_000);

afterAll(() => server.stop());

/** Opens the URL, asks whether this very connection is encrypted, closes. */
async function encrypted(url: string): Promise<boolean> {
  const database = await Database.open({ url, poolMax: 1 });
  try {
    const result = await database.pool.query<{ ssl: boolean }>(
      'select ssl from pg_stat_ssl where pid = pg_backend_pid()',
    );
    return result.rows[0]?.ssl ?? false;
  } finally {
    await database.close();
  }
}

describe('PostgreSQL over TLS, as managed servers require it', () => {
  it.each([
    ['require', false],
    ['require', true],
    ['verify-ca', true],
    ['verify-full', true],
  ])(
    'When the URL says sslmode=%s (CA given: %s), then the connection is encrypted',
    async (mode, withCa) => {
      expect(await encrypted(server.url(mode, withCa))).toBe(true);
    },
  );

  it('When verify-full is asked without the server’s CA, then the connection is refused for the certificate', async () => {
    await expect(encrypted(server.url('verify-full'))).rejects.toThrow(/certificate/);
  });

  it('When the URL asks for no TLS, then the server refuses the plain connection (as a managed server does)', async () => {
    await expect(encrypted(server.url())).rejects.toThrow(/no encryption|pg_hba/);
  });

  it('When the sslmode is not one libpq knows, then the error names it', async () => {
    await expect(encrypted(server.url('verify-everything'))).rejects.toThrow(
      'sslmode=verify-everything in the database URL is not one of disable, allow, prefer, require, verify-ca, verify-full',
    );
  });

  it('When a backup runs with sslmode=verify-full, then pg_dump verifies the server against the same trust and the dump is written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rosterhub-tls-backup-'));
    try {
      const result = await runBackup(
        server.url('verify-full', true),
        new FileStore(dir),
        30,
        memoryLogger().logger,
      );
      expect(result.bytes).toBeGreaterThan(0);
      expect(await readdir(dir)).toContain(result.name);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
