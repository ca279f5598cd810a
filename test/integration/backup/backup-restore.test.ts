import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AzureBlobStore } from '../../../api/backup/stores/azure-blob-store.js';
import { S3Store } from '../../../api/backup/stores/s3-store.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupStore } from '../../../api/backup/backup-store.js';
import { runBackup } from '../../../api/backup/run-backup.js';
import { RestoreError, runRestore } from '../../../api/backup/run-restore.js';
import { FileStore } from '../../../api/backup/stores/file-store.js';
import { startApi, type ApiUnderTest } from '../../helpers/api-under-test.js';
import { freePort } from '../../helpers/free-port.js';
import { memoryLogger } from '../../helpers/memory-logger.js';
import { OwnRedisServer } from '../../helpers/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.js';
import { startRosterFixture, type RosterFixture } from '../oneroster/fixture.js';

const { logger } = memoryLogger();
const collections = [
  '/users?limit=10000',
  '/classes?limit=10000',
  '/enrollments?limit=10000',
  '/orgs',
  '/courses',
  '/academicSessions',
  '/demographics?limit=10000',
];

let source: RosterFixture;
let folder: string;

beforeAll(async () => {
  source = await startRosterFixture();
  folder = await mkdtemp(join(tmpdir(), 'rh-backups-'));
});

afterAll(async () => {
  await source.close();
  await rm(folder, { recursive: true, force: true });
});

async function answers(baseUrl: string, key: string): Promise<unknown[]> {
  return Promise.all(
    collections.map(async (path) => {
      const response = await fetch(`${baseUrl}/ims/oneroster/rostering/v1p2${path}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      return {
        path,
        status: response.status,
        total: response.headers.get('x-total-count'),
        body: await response.json(),
      };
    }),
  );
}

/** Backs up the source district to `store`, restores it into a new database, and compares API answers. */
async function roundTrip(store: BackupStore): Promise<void> {
  const backup = await runBackup(source.database.url, store, 30, logger);
  expect(backup.bytes).toBeGreaterThan(10_000);
  expect((await store.list()).map((b) => b.name)).toContain(backup.name);

  const target = await createTestDatabase();
  // A Redis of its own: answers cached for the source must not stand in for the restored data.
  const redis = await OwnRedisServer.start();
  let restored: ApiUnderTest | undefined;
  try {
    expect(await runRestore(target.url, store, 'latest', logger)).toBe(backup.name);
    restored = await startApi({
      DATABASE_URL: target.url,
      REDIS_URL: redis.url,
      PUBLIC_BASE_URL: 'https://roster.example.org',
    });
    const before = await answers(source.under.baseUrl, source.key);
    const after = await answers(restored.baseUrl, source.key);
    expect((before as { status: number }[]).every((answer) => answer.status === 200)).toBe(true);
    expect(after).toEqual(before);
  } finally {
    store.close();
    await restored?.api.shutdown();
    await redis.destroy();
    await target.drop();
  }
}

describe('backup and restore to a folder (the pvc destination)', () => {
  it('When a district is backed up and restored into a new database, then the API answers the same', async () => {
    await roundTrip(new FileStore(folder));
  });

  it('When the target database is not empty, then restore refuses and changes nothing', async () => {
    const store = new FileStore(folder);
    await runBackup(source.database.url, store, 30, logger);
    const before = await answers(source.under.baseUrl, source.key);
    await expect(runRestore(source.database.url, store, 'latest', logger)).rejects.toThrow(RestoreError);
    await expect(runRestore(source.database.url, store, 'latest', logger)).rejects.toThrow(
      /is not empty .* nothing was changed/,
    );
    expect(await answers(source.under.baseUrl, source.key)).toEqual(before);
  });

  it('When pg_dump fails, then no backup is left behind and nothing is pruned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rh-backups-'));
    try {
      const port = await freePort();
      await expect(
        runBackup(`postgres://rosterhub@127.0.0.1:${port}/none`, new FileStore(dir), 30, logger),
      ).rejects.toThrow(/pg_dump exited/);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('When a backup is taken past the retention, then older backups are deleted and the new one kept', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rh-backups-'));
    try {
      const store = new FileStore(dir);
      const first = await runBackup(source.database.url, store, 7, logger, new Date('2026-01-01T00:00:00Z'));
      const second = await runBackup(source.database.url, store, 7, logger, new Date('2026-01-10T00:00:00Z'));
      expect(second.pruned).toEqual([first.name]);
      expect((await store.list()).map((b) => b.name)).toEqual([second.name]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('When the target is a newly installed district (migrated, no data), then the restore replaces its empty schema', async () => {
    const store = new FileStore(folder);
    await runBackup(source.database.url, store, 30, logger);
    const target = await createTestDatabase();
    const redis = await OwnRedisServer.start();
    try {
      const fresh = await startApi({
        DATABASE_URL: target.url,
        REDIS_URL: redis.url,
        PUBLIC_BASE_URL: 'https://roster.example.org',
      });
      await fresh.api.shutdown();
      await runRestore(target.url, store, 'latest', logger);
      const restored = await startApi({
        DATABASE_URL: target.url,
        REDIS_URL: redis.url,
        PUBLIC_BASE_URL: 'https://roster.example.org',
      });
      try {
        expect(await answers(restored.baseUrl, source.key)).toEqual(
          await answers(source.under.baseUrl, source.key),
        );
      } finally {
        await restored.api.shutdown();
      }
    } finally {
      await redis.destroy();
      await target.drop();
    }
  });

  it('When the named backup does not exist, then restore says which backups there are', async () => {
    const target: TestDatabase = await createTestDatabase();
    try {
      await expect(
        runRestore(target.url, new FileStore(folder), 'rosterhub-20000101T000000Z.dump', logger),
      ).rejects.toThrow(/no backup named rosterhub-20000101T000000Z.dump in folder .* \(newest: rosterhub-/);
    } finally {
      await target.drop();
    }
  });
});

async function listening(port: number): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(100);
  }
}

// Azurite's well-known development account (public, documented by Microsoft).
const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

describe('backup and restore to Azure Blob Storage (Azurite, the emulator)', () => {
  let azurite: ChildProcess;
  let endpoint: string;

  beforeAll(async () => {
    const port = await freePort();
    const bin = join(process.cwd(), 'node_modules', '.bin', 'azurite-blob');
    azurite = spawn(
      bin,
      [
        '--silent',
        '--inMemoryPersistence',
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--skipApiVersionCheck',
        '--loose',
      ],
      {
        stdio: 'ignore',
      },
    );
    await listening(port);
    endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    const service = new BlobServiceClient(
      endpoint,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    await service.getContainerClient('rosterhub').create();
  });

  afterAll(async () => {
    // In-memory emulator: nothing to flush, and a graceful stop waits for idle keep-alives.
    const exited = once(azurite, 'exit');
    azurite.kill('SIGKILL');
    await exited;
  });

  it('When a district is backed up to a container and restored from it, then the API answers the same', async () => {
    await roundTrip(
      new AzureBlobStore({
        account: AZURITE_ACCOUNT,
        container: 'rosterhub',
        prefix: 'districts/a/',
        endpoint,
        key: AZURITE_KEY,
      }),
    );
  });
});

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}

describe('backup and restore to S3 (s3rver, an S3-compatible server)', () => {
  let server: S3rverInstance;
  let endpoint: string;
  let directory: string;

  beforeAll(async () => {
    const port = await freePort();
    directory = await mkdtemp(join(tmpdir(), 'rh-s3-'));
    const S3rver = createRequire(import.meta.url)('s3rver') as new (
      options: Record<string, unknown>,
    ) => S3rverInstance;
    server = new S3rver({
      port,
      address: '127.0.0.1',
      silent: true,
      directory,
      configureBuckets: [{ name: 'backups' }],
    });
    await server.run();
    endpoint = `http://127.0.0.1:${port}`;
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  });

  afterAll(async () => {
    await server.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('When a district is backed up to a bucket and restored from it, then the API answers the same', async () => {
    await roundTrip(
      new S3Store({
        bucket: 'backups',
        prefix: 'districts/a/',
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
      }),
    );
  });
});
