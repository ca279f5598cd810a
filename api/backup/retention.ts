import type { StoredBackup } from './backup-store.js';

/** Backups past the retention, never including the newest one (a district always has one). */
export function expiredBackups(
  backups: readonly StoredBackup[],
  retentionDays: number,
  now: Date,
): StoredBackup[] {
  const newest = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime())[0];
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  return backups.filter((backup) => backup !== newest && backup.takenAt.getTime() < cutoff);
}
