import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Logger } from '../../lib/logging/logger.js';
import { OpenedResources } from '../../lib/process/opened-resources.js';
import { Database } from '../db/database.js';
import { migrate, pendingMigrations } from '../db/migrate.js';
import { runImport, type ImportProgress } from '../imports/importer.js';
import { IMPORT_QUEUE, importJobOptions, type ImportJobData } from '../imports/import-queue.js';
import { ImportJobStore } from '../imports/job-store.js';
import { DEFAULT_ZIP_LIMITS, PackageMissingError } from '../imports/package-reader.js';
import { PackageStore } from '../imports/package-store.js';
import type { WorkerConfig } from './config.js';

/** What a job returns to BullMQ (small: the report lives in PostgreSQL). */
export interface ImportJobReturn {
  outcome: string;
  rows: number;
}

const PROGRESS_EVERY_MS = 1000;
const MIGRATION_POLL_MS = 2000;

/**
 * The import worker: takes jobs from the BullMQ queue one at a time and runs them. PostgreSQL
 * holds each job's durable record; a job whose record says it finished (its transaction
 * committed) is never applied twice, and jobs the queue lost are queued again by a periodic
 * reconciliation. `start()` begins work; `close()` is idempotent.
 */
export class ImportWorker {
  #pool: pg.Pool | undefined;
  #redis: Redis | undefined;
  #queue: Queue<ImportJobData> | undefined;
  #worker: Worker<ImportJobData, ImportJobReturn> | undefined;
  #closing: Promise<void> | undefined;
  #closeTimeoutMs: number;
  readonly #opened: OpenedResources;

  constructor(
    private readonly config: WorkerConfig,
    private readonly logger: Logger,
  ) {
    this.#opened = new OpenedResources(logger);
    this.#closeTimeoutMs = config.shutdownTimeoutMs;
  }

  /**
   * In a cluster the migration Job alone migrates (MIGRATE_ON_START=false): the worker waits
   * until the schema is the one this code knows, and takes no job before that.
   */
  async #awaitMigrations(database: Database): Promise<void> {
    let announced = '';
    for (;;) {
      const pending = await pendingMigrations(database);
      if (pending.length === 0 || this.#closing) return;
      const waitingFor = pending.join(', ');
      if (waitingFor !== announced) {
        this.logger.info(`waiting for the migration Job to apply ${waitingFor} (MIGRATE_ON_START=false)`);
        announced = waitingFor;
      }
      await sleep(MIGRATION_POLL_MS);
    }
  }

  async start(): Promise<void> {
    const database = await Database.open({ url: this.config.databaseUrl, poolMax: 2 });
    try {
      if (this.config.migrateOnStart) await migrate(database, this.config.databaseUrl);
      else await this.#awaitMigrations(database);
    } finally {
      await database.close();
    }
    if (this.#closing) return;
    this.#pool = this.#opened.add(
      'PostgreSQL',
      new pg.Pool({ connectionString: this.config.databaseUrl, max: 3 }),
      (pool) => pool.end(),
    );
    this.#pool.on('error', (error) => this.logger.warn('database pool error', { error }));
    this.#redis = this.#opened.add(
      'Redis',
      new Redis(this.config.redisUrl, { maxRetriesPerRequest: null, disableClientInfo: true }),
      (redis) => redis.disconnect(),
    );
    // the queue and the worker on this connection report its errors (logged below)
    this.#redis.on('error', () => undefined);
    this.#queue = this.#opened.add(
      'the queue',
      new Queue<ImportJobData>(IMPORT_QUEUE, { connection: this.#redis }),
      (queue) => queue.close(),
    );
    this.#queue.on('error', (error) => this.logger.warn('queue error', { error }));
    const store = new ImportJobStore(this.#pool);
    this.#worker = this.#opened.add(
      'the BullMQ worker',
      new Worker<ImportJobData, ImportJobReturn>(IMPORT_QUEUE, (job) => this.#process(job, store), {
        connection: this.#redis,
        autorun: false,
        concurrency: 1,
        lockDuration: this.config.lockDurationMs,
        stalledInterval: this.config.lockDurationMs,
        maxStalledCount: 2,
      }),
      (worker) => this.#stopWorker(worker),
    );
    this.#worker.on('error', (error) => this.logger.warn('worker error', { error }));
    this.#worker.on('failed', (job, error) => {
      if (!job) return;
      const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      this.logger.warn(`import ${job.data.id} failed${final ? '' : '; it will be retried'}`, {
        error: error.message,
      });
      void (async () => {
        await store.fail(job.data.id, final ? 'failed' : 'retrying', error.message);
        if (final) await this.#removePackage(await store.packageId(job.data.id), job.data.id);
      })().catch((failure: unknown) => this.logger.warn('cannot record the failure', { error: failure }));
    });
    void this.#worker.run();
    this.#opened.add(
      'the reconciliation timer',
      setInterval(() => void this.#reconcile(store), this.config.reconcileIntervalMs),
      (timer) => clearInterval(timer),
    );
    await this.#reconcile(store);
    this.logger.info('import worker started', { queue: IMPORT_QUEUE });
  }

  /**
   * Queues again the unfinished jobs the queue does not have (lost with Redis' data), and
   * removes stored packages no unfinished job needs (an upload cut off, a submit that failed).
   */
  async #reconcile(store: ImportJobStore): Promise<void> {
    const queue = this.#queue;
    if (!queue || !this.#pool) return;
    try {
      const removed = await new PackageStore(this.#pool).removeOrphans();
      if (removed > 0) this.logger.info(`removed ${removed} stored packages no import needs`);
      const minAge = Math.ceil(this.config.reconcileIntervalMs / 1000);
      for (const job of await store.unfinished(minAge)) {
        if (await queue.getJob(job.id)) continue;
        this.logger.warn(`import ${job.id} is not in the queue any more (Redis lost it?); queueing it again`);
        await queue.add('import', { id: job.id }, importJobOptions(job.id));
      }
    } catch (error) {
      this.logger.warn('reconciliation failed; will try again', { error });
    }
  }

  async #process(job: Job<ImportJobData>, store: ImportJobStore): Promise<ImportJobReturn> {
    const { id } = job.data;
    const record = await store.find(id);
    if (!record) throw new UnrecoverableError(`there is no record of import ${id}`);
    const pool = this.#pool;
    if (!pool) throw new Error('the worker is not started');
    const packages = new PackageStore(pool, {
      ...DEFAULT_ZIP_LIMITS,
      uncompressedBytes: this.config.maxUncompressedBytes,
    });
    if (['completed', 'rejected', 'failed'].includes(record.state)) {
      // a previous attempt finished (its transaction committed) but the queue did not hear of it
      this.logger.info(`import ${id} had already finished (${record.state}); nothing to do`);
      return { outcome: record.outcome ?? record.state, rows: record.rows ?? 0 };
    }
    const packageId = await store.packageId(id);
    if (!packageId)
      throw new UnrecoverableError(
        `import ${id} has no stored package (queued by a version that kept packages on a Pod's disk?); upload it again`,
      );
    await store.markActive(id, job.attemptsMade + 1);
    this.logger.info(`import ${id} started`, { attempt: job.attemptsMade + 1 });
    let last = 0;
    const onProgress = (progress: ImportProgress): void => {
      const now = Date.now();
      if (progress.phase === 'reading' && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      // progress is advisory: the next report, or the job's result, replaces one that was lost
      void store.saveProgress(id, progress).catch(() => undefined);
      const rows = progress.files.reduce((sum, file) => sum + file.rows, 0);
      void job.updateProgress({ phase: progress.phase, rows }).catch(() => undefined);
    };
    const result = await runImport({
      databaseUrl: this.config.databaseUrl,
      open: () => packages.open(packageId),
      dryRun: record.dryRun,
      strict: record.strict,
      onProgress,
      beforeCommit: (client, done) => store.finish(client, id, 'completed', done),
    }).catch((error: unknown) => {
      // a package that is gone stays gone: retrying cannot help
      throw error instanceof PackageMissingError ? new UnrecoverableError(error.message) : error;
    });
    if (result.outcome === 'rejected' || result.outcome === 'dry-run')
      await store.finish(pool, id, result.outcome === 'rejected' ? 'rejected' : 'completed', result);
    await this.#removePackage(packageId, id);
    this.logger.info(`import ${id} ${result.outcome}`, {
      rows: result.rows,
      errors: result.report.totals.errors,
      seconds: result.timings.total,
    });
    if (result.outcome === 'rejected')
      throw new UnrecoverableError(`the package was rejected: ${result.report.totals.errors} problems`);
    return { outcome: result.outcome, rows: result.rows };
  }

  /** A job's package is removed once the job is done (a failed removal is left to #reconcile). */
  async #removePackage(packageId: string | undefined, id: string): Promise<void> {
    if (packageId && this.#pool)
      await new PackageStore(this.#pool)
        .remove(packageId)
        .catch((error: unknown) => this.logger.warn(`cannot remove the package of import ${id}`, { error }));
  }

  /**
   * Stops taking jobs and waits up to `timeoutMs` for the running one. A run given up rolls back
   * when the process exits, and another worker takes the job over once its lock expires.
   */
  close(timeoutMs = this.config.shutdownTimeoutMs): Promise<void> {
    this.#closing ??= (async () => {
      this.#closeTimeoutMs = timeoutMs;
      await this.#opened.closeAll();
    })();
    return this.#closing;
  }

  async #stopWorker(worker: Worker<ImportJobData, ImportJobReturn>): Promise<void> {
    const closed = worker.close().then(() => true);
    const gaveUp = new Promise<false>((resolve) =>
      setTimeout(() => resolve(false), this.#closeTimeoutMs).unref(),
    );
    if (!(await Promise.race([closed, gaveUp])))
      this.logger.warn(
        `gave the running import up after ${this.#closeTimeoutMs} ms; another worker takes it over`,
      );
  }
}
