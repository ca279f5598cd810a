import pg from 'pg';
import { bumpDataVersion, readDataVersion } from '../data/data-version.js';
import { LOAD_ORDER } from './file-specs.js';
import { checkPackage } from './package-checks.js';
import { checkManifest } from './manifest.js';
import { mergePackage, type MergeCounts } from './merge.js';
import { PackageFormatError, isStorageFailure, type PackageReader } from './package-reader.js';
import { ProblemCollector, type ProblemReport } from './problems.js';
import { createStageSql, stageTable } from './stage-tables.js';
import { stageFile } from './csv-stage.js';

/** The advisory lock every import takes: one import at a time per database (instance). */
export const IMPORT_LOCK_SQL = `select pg_advisory_xact_lock(hashtext('rosterhub:import'))`;

/**
 * Stage tables live in local buffers, which can grow only before a session's first temporary
 * table. A server connection a pooler hands on may have had one (an earlier import): there the
 * import runs with the default buffers, slower but the same.
 */
async function largeTempBuffers(client: pg.Client): Promise<void> {
  await client.query('savepoint rh_temp_buffers');
  try {
    await client.query(`set local temp_buffers = '256MB'`);
    await client.query('release savepoint rh_temp_buffers');
  } catch {
    await client.query('rollback to savepoint rh_temp_buffers');
  }
}

export type ImportPhase = 'waiting-for-lock' | 'reading' | 'checking' | 'merging' | 'committing' | 'done';

/** Progress of one file. `rowsTotal` is an estimate (from bytes) until the file is read. */
export interface FileProgressState {
  file: string;
  mode: string;
  state: 'pending' | 'reading' | 'read';
  rows: number;
  rowsTotal: number;
  bytes: number;
  bytesTotal: number;
  seconds: number;
}

export interface ImportProgress {
  phase: ImportPhase;
  files: FileProgressState[];
}

export type ImportOutcome = 'applied' | 'unchanged' | 'rejected' | 'dry-run';

export interface ImportResult {
  outcome: ImportOutcome;
  version?: '1.1' | '1.2';
  report: ProblemReport;
  counts: Record<string, MergeCounts>;
  rows: number;
  /** the data version after commit (applied) */
  dataVersion?: string;
  timings: Record<string, number>;
  files: FileProgressState[];
}

export interface ImportOptions {
  databaseUrl: string;
  /** Opens the package (a stored one, or a file or folder in tests and tools). */
  open: () => Promise<PackageReader>;
  dryRun: boolean;
  strict: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** Runs inside the import transaction just before COMMIT (records the job as done, atomically). */
  beforeCommit?: (client: pg.ClientBase, result: ImportResult) => Promise<void>;
}

const MAX_MANIFEST_BYTES = 1_048_576;

async function readManifest(reader: PackageReader): Promise<string | undefined> {
  if (!reader.files.includes('manifest.csv')) return undefined;
  const stream = await reader.open('manifest.csv');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_MANIFEST_BYTES) {
      stream.destroy();
      throw new PackageFormatError('manifest.csv is larger than 1 MiB: not a manifest');
    }
    chunks.push(buffer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new PackageFormatError('manifest.csv is not valid UTF-8');
  }
}

const seconds = (since: number): number => Math.round((performance.now() - since) / 10) / 100;

/**
 * Imports one OneRoster CSV package in one transaction on a raw pg connection: stream every file
 * into TEMP stage tables (validating each row), check duplicates and references in SQL, then
 * merge set-based and bump the data version — or roll everything back when anything is wrong
 * (or on a dry run). Serialised by an advisory lock.
 */
export async function runImport(options: ImportOptions): Promise<ImportResult> {
  const problems = new ProblemCollector(options.strict);
  const timings: Record<string, number> = {};
  const started = performance.now();
  const files: FileProgressState[] = [];
  const emit = (phase: ImportPhase): void =>
    options.onProgress?.({ phase, files: files.map((f) => ({ ...f })) });
  const result = (outcome: ImportOutcome, extra: Partial<ImportResult> = {}): ImportResult => {
    timings.total = seconds(started);
    return {
      outcome,
      report: problems.report(),
      counts: {},
      rows: files.reduce((sum, f) => sum + f.rows, 0),
      timings,
      files: files.map((f) => ({ ...f })),
      ...extra,
    };
  };

  let reader: PackageReader;
  let manifestText: string | undefined;
  try {
    reader = await options.open();
  } catch (error) {
    if (!(error instanceof PackageFormatError)) throw error;
    problems.error({ file: 'package', rule: 'package-format', message: error.message });
    return result('rejected');
  }
  try {
    try {
      manifestText = await readManifest(reader);
    } catch (error) {
      if (!(error instanceof PackageFormatError)) throw error;
      problems.error({ file: 'manifest.csv', rule: 'package-format', message: error.message });
      return result('rejected');
    }
    const manifest = checkManifest(manifestText, reader.files, reader.nested, problems);
    if (!manifest) return result('rejected');
    const order = LOAD_ORDER.filter((file) => manifest.files.has(file));
    for (const file of order) {
      const bytesTotal = reader.size(`${file}.csv`);
      files.push({
        file: `${file}.csv`,
        mode: manifest.files.get(file) ?? 'bulk',
        state: 'pending',
        rows: 0,
        rowsTotal: 0,
        bytes: 0,
        bytesTotal,
        seconds: 0,
      });
    }

    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    // a lost connection fails the statement in flight, and with it the import; without a
    // listener the same error would also crash the process
    client.on('error', () => undefined);
    try {
      // Every setting is local to the transaction: behind a transaction pooler a session setting
      // would stay on the server connection for whichever client gets it next.
      await client.query('begin');
      await client.query(`set local work_mem = '256MB'`);
      await client.query(`set local maintenance_work_mem = '256MB'`);
      // a killed worker's transaction must end soon, even inside a long statement
      await client.query(`set local client_connection_check_interval = '2s'`);
      await largeTempBuffers(client);
      emit('waiting-for-lock');
      let mark = performance.now();
      await client.query(IMPORT_LOCK_SQL);
      timings.lockWait = seconds(mark);

      mark = performance.now();
      let usersHaveResources = false;
      for (const [index, file] of order.entries()) {
        const state = files[index];
        if (!state) continue;
        state.state = 'reading';
        emit('reading');
        const fileStarted = performance.now();
        await client.query(createStageSql(file));
        const source = await reader.open(`${file}.csv`);
        await client.query('savepoint rh_stage');
        try {
          await stageFile({
            client,
            source,
            file,
            mode: manifest.files.get(file) ?? 'bulk',
            version: manifest.version,
            problems,
            onProgress: ({ rows, bytes }) => {
              state.rows = rows;
              state.bytes = bytes;
              state.rowsTotal = bytes > 0 ? Math.round((rows * state.bytesTotal) / bytes) : 0;
              state.seconds = seconds(fileStarted);
              emit('reading');
            },
          });
          await client.query('release savepoint rh_stage');
        } catch (error) {
          source.destroy();
          if (isStorageFailure(error)) throw error;
          await client.query('rollback to savepoint rh_stage');
          problems.error({
            file: `${file}.csv`,
            rule: 'stage',
            message: `the file could not be staged: ${(error as Error).message}`,
          });
        }
        if (file === 'users') {
          const resources = await client.query<{ found: boolean }>(
            `select exists (select 1 from ${stageTable('users')} where resource_sourced_ids is not null) as found`,
          );
          usersHaveResources = resources.rows[0]?.found === true;
        }
        await client.query(`analyze ${stageTable(file)}`);
        state.state = 'read';
        state.rowsTotal = state.rows;
        state.seconds = seconds(fileStarted);
        emit('reading');
      }
      timings.read = seconds(mark);

      mark = performance.now();
      emit('checking');
      await checkPackage(client, manifest.files, manifest.version, problems);
      timings.check = seconds(mark);
      if (problems.errorCount > 0) {
        await client.query('rollback');
        return result('rejected', { version: manifest.version });
      }

      mark = performance.now();
      emit('merging');
      const importTime = new Date();
      const mergeSeconds: Record<string, number> = {};
      const counts = await mergePackage(
        client,
        manifest.files,
        manifest.version,
        usersHaveResources,
        importTime,
        mergeSeconds,
      );
      timings.merge = seconds(mark);
      for (const [file, took] of Object.entries(mergeSeconds)) timings[`merge.${file}`] = took;
      const changed = Object.values(counts).reduce((sum, c) => sum + c.inserted + c.updated + c.deleted, 0);
      if (options.dryRun) {
        await client.query('rollback');
        return result('dry-run', { version: manifest.version, counts });
      }
      mark = performance.now();
      emit('committing');
      const dataVersion = changed > 0 ? await bumpDataVersion(client) : await readDataVersion(client);
      const done = result(changed > 0 ? 'applied' : 'unchanged', {
        version: manifest.version,
        counts,
        dataVersion,
      });
      await options.beforeCommit?.(client, done);
      await client.query('commit');
      timings.commit = seconds(mark);
      done.timings.total = seconds(started);
      emit('done');
      return done;
    } catch (error) {
      // a connection that broke rolls back by itself; the import's own error is the one to report
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    reader.close();
  }
}
