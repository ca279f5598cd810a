import { Queue, type ConnectionOptions } from 'bullmq';
import { readDataVersion, type Queryable } from '../data/data-version.js';
import { ImportJobStore, type ImportJobView } from './job-store.js';
import { PackageStore, type StoredPackage } from './package-store.js';

export { IMPORT_QUEUE } from '../../lib/queues.js';
import { IMPORT_QUEUE } from '../../lib/queues.js';

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
 * The job takes the stored package; a package a job already has (or no longer needs) is removed.
 */
export async function submitImport(
  db: Queryable,
  queue: Queue<ImportJobData>,
  stored: StoredPackage,
  options: { dryRun: boolean; strict: boolean },
): Promise<Submission> {
  const store = new ImportJobStore(db);
  const packages = new PackageStore(db);
  const id = importJobId(stored.sha256, options.dryRun, options.strict);
  const existing = await store.find(id);
  const answer = async (job: ImportJobView): Promise<Submission> => {
    await packages.remove(stored.id);
    return { job, queued: false };
  };
  if (existing && ['queued', 'active', 'retrying'].includes(existing.state)) {
    if (await queue.getJob(id)) return answer(existing);
  }
  if (existing?.state === 'completed' && !options.dryRun) {
    // dataVersion is the version the run left (or found, when nothing changed)
    if (existing.dataVersion !== null && existing.dataVersion === (await readDataVersion(db)))
      return answer(existing);
  }
  const old = await queue.getJob(id);
  // a job that is gone meanwhile (finished, removed) is just what this wants
  if (old) await old.remove().catch(() => undefined);
  const replaced = await store.upsertQueued({
    id,
    packageId: stored.id,
    sha256: stored.sha256,
    bytes: stored.bytes,
    dryRun: options.dryRun,
    strict: options.strict,
  });
  if (replaced && replaced !== stored.id) await packages.remove(replaced);
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
