/**
 * Server settings of the in-cluster PostgreSQL, sized from its container's memory limit and its
 * volume by the usual rules of thumb (PostgreSQL's manual, pgtune), instead of the image's
 * built-in defaults (shared_buffers 128MB, effective_cache_size 4GB whatever the limit).
 */
import { parseQuantity } from '../quantity.js';

const mebibyte = 2 ** 20;
const gibibyte = 2 ** 30;

/** Sizes derived from `spec.database.resources.limits.memory` and `spec.database.storage.size`. */
export interface PostgresSizing {
  /** `-c` settings in PostgreSQL's units (`256MB`), in the order they are passed. */
  readonly settings: Readonly<Record<string, string>>;
  /** `sizeLimit` of the memory-backed `/dev/shm` (`256Mi`), where parallel workers share memory. */
  readonly sharedMemory: string;
}

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);

/** Whole MB, at least 1 (PostgreSQL's `MB` is 2^20 bytes). */
const megabytes = (bytes: number): number => Math.max(1, Math.floor(bytes / mebibyte));

/** The settings for a container with this memory limit and a data volume of this size. */
export function postgresSizing(memoryLimit: string, storageSize: string): PostgresSizing {
  const memory = parseQuantity(memoryLimit);
  const storage = parseQuantity(storageSize);
  if (!(memory > 0) || !(storage > 0)) {
    throw new Error(`cannot size PostgreSQL from memory ${memoryLimit} and storage ${storageSize}`);
  }
  // PostgreSQL's defaults are the floors, unless the container or the volume is too small to hold them.
  const maintenanceWorkMem = clamp(memory / 16, Math.min(64 * mebibyte, memory / 4), gibibyte);
  const maxWalSize = Math.max(
    clamp(storage * 0.2, Math.min(gibibyte, storage / 4), 8 * gibibyte),
    32 * mebibyte, // two 16MB WAL segments, PostgreSQL's minimum
  );
  const quarterOfMemory = megabytes(memory / 4);
  return {
    settings: {
      shared_buffers: `${quarterOfMemory}MB`,
      // A planner hint (the page cache PostgreSQL may count on), not an allocation.
      effective_cache_size: `${megabytes((memory * 3) / 4)}MB`,
      maintenance_work_mem: `${megabytes(maintenanceWorkMem)}MB`,
      // Room for the WAL of a bulk import between checkpoints, so they are not continuous.
      max_wal_size: `${megabytes(maxWalSize)}MB`,
      // WAL segments kept for reuse instead of recreated after each checkpoint.
      min_wal_size: `${megabytes(Math.max(maxWalSize / 4, 32 * mebibyte))}MB`,
      // A session's temporary files (an import's sorts and hashes over a zip bomb's rows) stop
      // at a quarter of the volume instead of filling it.
      temp_file_limit: `${megabytes(storage / 4)}MB`,
    },
    sharedMemory: `${quarterOfMemory}Mi`,
  };
}

/** The settings as `postgres` arguments: `['-c', 'shared_buffers=256MB', ...]`. */
export function postgresArgs(settings: Readonly<Record<string, string>>): string[] {
  return Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
}
