import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  FILE_SPECS,
  USERS_1_1,
  USERS_1_2,
  USERS_1_2_1,
  type FileSpec,
  type RosterFile,
} from './file-specs.js';
import type { FileMode } from './manifest.js';
import type { ProblemCollector } from './problems.js';
import { RowValidator } from './row-validator.js';
import { copyStageSql, stageColumns } from './stage-tables.js';
import { CsvToCopyText } from './csv-records.js';
import { FileContentError, StrictUtf8Decoder } from './text-streams.js';

/** Longest record (in characters) a file may have: longer ones stop the file, never fill memory. */
export const MAX_RECORD_CHARS = 1_048_576;

/** Progress of one file while it is read. */
export interface FileProgress {
  rows: number;
  bytes: number;
}

export interface StageFileOptions {
  client: pg.ClientBase;
  source: Readable;
  file: RosterFile;
  mode: FileMode;
  version: '1.1' | '1.2';
  problems: ProblemCollector;
  onProgress: (progress: FileProgress) => void;
}

function specFor(file: RosterFile, version: '1.1' | '1.2', header: readonly string[]): FileSpec {
  if (file !== 'users') return FILE_SPECS[file];
  if (version === '1.1') return USERS_1_1;
  return header.includes('resourceSourcedIds') ? USERS_1_2 : USERS_1_2_1;
}

/**
 * Streams one CSV file into its stage table: strict UTF-8 decoding → CSV records (bounded in
 * size) → validation → COPY text in 64 KB chunks. A file that cannot be read to the end
 * (encoding, CSV syntax, an over-long record) is reported and staged up to that point; the COPY
 * always completes so that the transaction stays usable. Returns the data rows read.
 */
export async function stageFile(options: StageFileOptions): Promise<number> {
  const { client, source, file, mode, version, problems, onProgress } = options;
  const csv = `${file}.csv`;
  const columns = stageColumns(file);
  let validator: RowValidator | undefined;
  const decoder = new StrictUtf8Decoder();
  let rows = 0;
  const toCopy = new CsvToCopyText((record, line) => {
    if (validator === undefined) {
      validator = new RowValidator(specFor(file, version, record), mode, version, record, columns, problems);
      return null;
    }
    rows += 1;
    if ((rows & 0x3fff) === 0) onProgress({ rows, bytes: decoder.bytes });
    return validator.stage(record, line);
  }, MAX_RECORD_CHARS);
  const copy = client.query(copyFrom(copyStageSql(file)));
  let stopped = false;
  const stop = (error: Error): void => {
    if (stopped) return;
    stopped = true;
    problems.error({
      file: csv,
      line: toCopy.splitter.line,
      rule: error instanceof FileContentError ? error.rule : 'read',
      message:
        error instanceof FileContentError ? error.message : `${error.message}; the file is read no further`,
    });
    source.unpipe(decoder);
    decoder.unpipe(toCopy);
    toCopy.unpipe(copy);
    source.destroy();
    copy.end();
  };
  source.on('error', stop);
  decoder.on('error', stop);
  toCopy.on('error', stop);
  source.pipe(decoder).pipe(toCopy).pipe(copy);
  await finished(copy);
  onProgress({ rows, bytes: decoder.bytes });
  // both are set from stream callbacks, which the type checker cannot see
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (validator === undefined && !stopped)
    problems.error({
      file: csv,
      line: 1,
      rule: 'header',
      message: 'the file is empty: it needs a header row',
    });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  else if (rows === 0 && !stopped)
    problems.error({
      file: csv,
      rule: 'no-data-rows',
      message: `${csv} has no data rows; a file without data must be marked absent in the manifest`,
    });
  return rows;
}
