import type { Readable } from 'node:stream';

/** One stored backup. */
export interface StoredBackup {
  name: string;
  /** When the backup was taken, from its name. */
  takenAt: Date;
}

/**
 * Where backups live. `put` is all-or-nothing: a failed or aborted upload leaves no backup
 * behind that `list` would show.
 */
export interface BackupStore {
  readonly description: string;
  put(name: string, body: Readable): Promise<void>;
  get(name: string): Promise<Readable>;
  list(): Promise<StoredBackup[]>;
  delete(name: string): Promise<void>;
  /** Releases connections (idempotent). */
  close(): void;
}

const NAME = /^rosterhub-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.dump$/;

/** `rosterhub-20261129T023000Z.dump`: sortable, and the time it was taken. */
export function backupName(takenAt: Date): string {
  return `rosterhub-${takenAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')}.dump`;
}

/** The time in a backup's name, or undefined for files that are not RosterHub backups. */
export function parseBackupName(name: string): Date | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}
