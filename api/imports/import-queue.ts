import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { Queue, type ConnectionOptions } from 'bullmq';
import { readDataVersion, type Queryable } from '../data/data-version.js';
import { ImportJobStore, type ImportJobView } from './job-store.js';

/** The BullMQ queue of CSV imports. */
export const IMPORT_QUEUE = 'rosterhub-imports';

/** What a job carries in Redis: references only, never roster data. */
export interface ImportJobData {
  id: string;
}

/** Retries of a job that failed for a reason other than its content (database, crash). */
export const IMPORT_ATTEMPTS = 3;

/** The BullMQ job id of a package: its SHA-256, plus the options that change the outcome. */
export function importJobId(sha256: string, dryRun: boolean, strict: boolean): string {
  return `import-${sha256}${strict ? '-strict' : ''}${dryRun ? '-dryrun' : ''}`;
}

/** A package saved where the worker can read it. */
export interface SpooledPackage {
  path: string;
  sha256: string;
  bytes: number;
}

/** Streams an upload (a zip) into the spool folder while hashing it; stops at `maxBytes`. */
export async function spoolUpload(
  spoolDir: string,
  input: Readable,
  maxBytes: number,
): Promise<SpooledPackage> {
  await mkdir(spoolDir, { recursive: true });
  const temp = join(spoolDir, `upload-${randomBytes(8).toString('hex')}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        callback(new PackageTooLargeError(maxBytes));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(input, meter, createWriteStream(temp));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const sha256 = hash.digest('hex');
  const path = join(spoolDir, `${sha256}.zip`);
  await rename(temp, path);
  return { path, sha256, bytes };
}

/** The upload is larger than the configured limit. */
export class PackageTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the package is larger than ${maxBytes} bytes`);
    this.name = 'PackageTooLargeError';
  }
}

/**
 * A folder package is not copied: it is hashed (names, sizes and bytes of its files, in name
 * order) and read in place by the worker, which must therefore see the same file system.
 */
export async function hashFolder(dir: string): Promise<SpooledPackage> {
  const path = resolve(dir);
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  const hash = createHash('sha256');
  let bytes = 0;
  for (const name of names) {
    const size = (await stat(join(path, name))).size;
    hash.update(`${name}\0${size}\0`);
    for await (const chunk of createReadStream(join(path, name), { highWaterMark: 1 << 20 }))
      hash.update(chunk as Buffer);
    bytes += size;
  }
  return { path, sha256: hash.digest('hex'), bytes };
}

/** Copies a zip into the spool folder (hashing it), so the job survives the caller. */
export async function spoolZipFile(spoolDir: string, file: string): Promise<SpooledPackage> {
  return spoolUpload(spoolDir, createReadStream(file, { highWaterMark: 1 << 20 }), Number.MAX_SAFE_INTEGER);
}

/** Result of a submission: the job and whether this call queued a new run. */
export interface Submission {
  job: ImportJobView;
  queued: boolean;
}

/**
 * Queues an import idempotently. A job with the same id (same package and options) that is
 * still waiting or running is returned as it is; one that completed with the data unchanged
 * since is returned too (running it again would change nothing). Otherwise — it failed, was
 * rejected, or other imports changed the data since — the job is run again under the same id.
 */
export async function submitImport(
  db: Queryable,
  queue: Queue<ImportJobData>,
  spooled: SpooledPackage,
  options: { dryRun: boolean; strict: boolean },
): Promise<Submission> {
  const store = new ImportJobStore(db);
  const id = importJobId(spooled.sha256, options.dryRun, options.strict);
  const existing = await store.find(id);
  if (existing && ['queued', 'active', 'retrying'].includes(existing.state)) {
    if (await queue.getJob(id)) return { job: existing, queued: false };
  }
  if (existing?.state === 'completed' && !options.dryRun) {
    // dataVersion is the version the run left (or found, when nothing changed)
    if (existing.dataVersion !== null && existing.dataVersion === (await readDataVersion(db)))
      return { job: existing, queued: false };
  }
  const old = await queue.getJob(id);
  if (old) await old.remove().catch(() => undefined);
  await store.upsertQueued({
    id,
    packagePath: spooled.path,
    sha256: spooled.sha256,
    bytes: spooled.bytes,
    dryRun: options.dryRun,
    strict: options.strict,
  });
  await queue.add('import', { id }, importJobOptions(id));
  const job = await store.find(id);
  if (!job) throw new Error(`import job ${id} vanished`);
  return { job, queued: true };
}

/** BullMQ options of an import job. */
export function importJobOptions(id: string): {
  jobId: string;
  attempts: number;
  backoff: { type: 'exponential'; delay: number };
  removeOnComplete: { age: number; count: number };
  removeOnFail: { age: number; count: number };
} {
  return {
    jobId: id,
    attempts: IMPORT_ATTEMPTS,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
    removeOnFail: { age: 30 * 24 * 3600, count: 5000 },
  };
}

/** A queue handle for producers (API, CLI). */
export function importQueue(connection: ConnectionOptions): Queue<ImportJobData> {
  return new Queue<ImportJobData>(IMPORT_QUEUE, { connection });
}
