import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseBackupName, type BackupStore, type StoredBackup } from '../backup-store.js';

/** Backups as files in a folder (the `pvc` destination). Writes go to `.partial`, then rename. */
export class FileStore implements BackupStore {
  constructor(private readonly dir: string) {}

  get description(): string {
    return `folder ${this.dir}`;
  }

  async put(name: string, body: Readable): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const partial = join(this.dir, `${name}.partial`);
    try {
      await pipeline(body, createWriteStream(partial, { mode: 0o600 }));
      await rename(partial, join(this.dir, name));
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  get(name: string): Promise<Readable> {
    return Promise.resolve(createReadStream(join(this.dir, name)));
  }

  async list(): Promise<StoredBackup[]> {
    const names = await readdir(this.dir).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    });
    const backups: StoredBackup[] = [];
    for (const name of names) {
      const takenAt = parseBackupName(name);
      if (takenAt) backups.push({ name, takenAt });
    }
    return backups;
  }

  async delete(name: string): Promise<void> {
    await rm(join(this.dir, name), { force: true });
  }

  close(): void {
    // nothing held open
  }
}
