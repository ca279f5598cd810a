import { backupName, parseBackupName } from '../../../api/backup/backup-store.js';
import { loadBackupConfig } from '../../../api/backup/config.js';
import { expiredBackups } from '../../../api/backup/retention.js';
import { libpqEnv } from '../../../api/backup/pg-env.js';

const day = 86_400_000;
const at = (iso: string) => ({ name: backupName(new Date(iso)), takenAt: new Date(iso) });

describe('backup names', () => {
  it('When a backup is named, then the name sorts by time and parses back to the same second', () => {
    const taken = new Date('2026-11-29T02:30:05.123Z');
    expect(backupName(taken)).toBe('rosterhub-20261129T023005Z.dump');
    expect(parseBackupName(backupName(taken))).toEqual(new Date('2026-11-29T02:30:05Z'));
    expect(parseBackupName('notes.txt')).toBeUndefined();
    expect(parseBackupName('rosterhub-20261129T023005Z.dump.partial')).toBeUndefined();
  });
});

describe('retention', () => {
  it('When backups are older than the retention, then they expire, but the newest never does', () => {
    const now = new Date('2026-12-31T00:00:00Z');
    const old = at('2026-11-01T00:00:00Z');
    const recent = at('2026-12-30T00:00:00Z');
    expect(expiredBackups([old, recent], 30, now)).toEqual([old]);
    expect(expiredBackups([old], 30, now)).toEqual([]);
    expect(expiredBackups([old, at('2026-11-02T00:00:00Z')], 1, new Date(now.getTime() + day))).toEqual([
      old,
    ]);
  });
});

describe('backup settings', () => {
  const base = { DATABASE_URL: 'postgres://u:p@db/rh' };
  it.each([
    [{ BACKUP_DESTINATION: 'pvc' }, /BACKUP_DIR is required when BACKUP_DESTINATION=pvc/],
    [{ BACKUP_DESTINATION: 's3' }, /BACKUP_S3_BUCKET is required when BACKUP_DESTINATION=s3/],
    [
      { BACKUP_DESTINATION: 'azureBlob', BACKUP_AZURE_STORAGE_ACCOUNT: 'a' },
      /BACKUP_AZURE_CONTAINER is required[\s\S]*AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or Azure Workload Identity \(AZURE_CLIENT_ID[^)]*\), is required/,
    ],
    [
      { BACKUP_DESTINATION: 'tape' },
      /BACKUP_DESTINATION="tape" is invalid: expected one of pvc, s3, azureBlob/,
    ],
  ])('When a destination lacks what it needs (%j), then the error names the variable', (env, message) => {
    expect(() => loadBackupConfig({ ...base, ...env })).toThrow(message);
  });

  it('When the connection URL carries a password, then it goes to PGPASSWORD, never to a command line', () => {
    expect(libpqEnv('postgres://app%40x:s%2Fecret@db.example:6432/district?sslmode=require')).toEqual({
      PGHOST: 'db.example',
      PGPORT: '6432',
      PGDATABASE: 'district',
      PGUSER: 'app@x',
      PGPASSWORD: 's/ecret',
      PGSSLMODE: 'require',
    });
  });
});
