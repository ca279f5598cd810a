import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { Queryable } from '../data/data-version.js';
import {
  DEFAULT_ZIP_LIMITS,
  PackageMissingError,
  PackageStorageError,
  ZIP_OPTIONS,
  openZipWith,
  type PackageReader,
  type ZipLimits,
} from './package-reader.js';

/** Every chunk but a file's last holds exactly this many bytes, so an offset maps to a chunk. */
export const PACKAGE_CHUNK_BYTES = 1 << 20;

/** The single file of a zip package. */
const ZIP_FILE = '';

/** A package stored in PostgreSQL, where the API, the worker and the CLI all reach it. */
export interface StoredPackage {
  id: string;
  kind: 'zip' | 'folder';
  sha256: string;
  bytes: number;
}

/** The upload is larger than the configured limit. */
export class PackageTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the package is larger than ${maxBytes} bytes`);
    this.name = 'PackageTooLargeError';
  }
}

/** Packages no unfinished job refers to are removed after these ages (a crashed upload, a lost submit). */
export const ORPHAN_AGE_SECONDS = { complete: 3600, incomplete: 24 * 3600 };

/** Cuts a byte stream into PACKAGE_CHUNK_BYTES pieces (the last one shorter). */
async function* fixedChunks(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of input) {
    let rest = piece;
    while (size + rest.length >= PACKAGE_CHUNK_BYTES) {
      const take = PACKAGE_CHUNK_BYTES - size;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending);
      rest = rest.subarray(take);
      pending = [];
      size = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      size += rest.length;
    }
  }
  if (size > 0) yield Buffer.concat(pending);
}

const storageError = (what: string, error: unknown): PackageStorageError =>
  new PackageStorageError(`cannot read the stored package (${what}): ${(error as Error).message}`, {
    cause: error,
  });

/** Reads a stored zip by byte range for yauzl: each range is cut from the chunks it spans. */
class StoredZipReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly db: Queryable,
    private readonly packageId: string,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const { db, packageId } = this;
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let seq = Math.floor(start / PACKAGE_CHUNK_BYTES); seq * PACKAGE_CHUNK_BYTES < end; seq++) {
        const base = seq * PACKAGE_CHUNK_BYTES;
        const from = Math.max(start, base) - base;
        const length = Math.min(end, base + PACKAGE_CHUNK_BYTES) - base - from;
        let rows;
        try {
          ({ rows } = await db.query<{ data: Buffer }>(
            `select substring(data from $4 for $5) as data from import_package_chunks
             where package_id = $1 and name = $2 and seq = $3`,
            [packageId, ZIP_FILE, seq, from + 1, length],
          ));
        } catch (error) {
          throw storageError(`zip bytes ${start}-${end}`, error);
        }
        const data = rows[0]?.data;
        if (!data) throw new PackageMissingError(`the stored package ${packageId} lost its chunk ${seq}`);
        yield data;
      }
    }
    return Readable.from(pieces(), { objectMode: false });
  }
}

/**
 * The `import_packages` tables: uploaded CSV packages (a zip, or the files of a folder) kept in
 * PostgreSQL as 1 MiB chunks, written and read as streams (never a whole package in memory),
 * from whichever Pod runs the API, the worker or the CLI.
 */
export class PackageStore {
  constructor(
    private readonly db: Queryable,
    private readonly zipLimits: ZipLimits = DEFAULT_ZIP_LIMITS,
  ) {}

  /** Stores a zip from a stream while hashing it; stops at `maxBytes` and then removes what it stored. */
  async saveZip(input: AsyncIterable<Buffer>, maxBytes = Number.MAX_SAFE_INTEGER): Promise<StoredPackage> {
    const id = await this.#create('zip');
    try {
      const hash = createHash('sha256');
      const bytes = await this.#writeFile(id, ZIP_FILE, input, hash, maxBytes);
      return await this.#complete(id, 'zip', hash, bytes);
    } catch (error) {
      // the write's error is the one to report; what stays behind, the worker's reconciliation removes
      await this.remove(id).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Stores the files at the root of a folder, in name order; subfolders are kept as names ending
   * in `/` (the importer reports them). The hash covers each file's name, size and bytes.
   */
  async saveFolder(dir: string): Promise<StoredPackage> {
    const listing = await readdir(dir, { withFileTypes: true });
    const files = listing.filter((entry) => entry.isFile()).map((entry) => entry.name);
    const nested = listing.filter((entry) => entry.isDirectory()).map((entry) => `${entry.name}/`);
    const id = await this.#create('folder');
    try {
      const hash = createHash('sha256');
      let total = 0;
      for (const name of files.sort()) {
        const path = join(dir, name);
        const size = (await stat(path)).size;
        hash.update(`${name}\0${size}\0`);
        total += await this.#writeFile(id, name, createReadStream(path, { highWaterMark: 1 << 20 }), hash);
      }
      for (const name of nested.sort()) {
        hash.update(`${name}\0`);
        await this.db.query(`insert into import_package_files (package_id, name) values ($1, $2)`, [
          id,
          name,
        ]);
      }
      return await this.#complete(id, 'folder', hash, total);
    } catch (error) {
      // the write's error is the one to report; what stays behind, the worker's reconciliation removes
      await this.remove(id).catch(() => undefined);
      throw error;
    }
  }

  /** Opens a complete stored package for reading. */
  async open(id: string): Promise<PackageReader> {
    let packages, files;
    try {
      ({ rows: packages } = await this.db.query<{ kind: 'zip' | 'folder'; bytes: string }>(
        'select kind, bytes from import_packages where id = $1 and complete',
        [id],
      ));
      ({ rows: files } = await this.db.query<{ name: string; bytes: string }>(
        'select name, bytes from import_package_files where package_id = $1 order by name',
        [id],
      ));
    } catch (error) {
      throw storageError('its list of files', error);
    }
    const stored = packages[0];
    if (!stored) throw new PackageMissingError(`the stored package ${id} does not exist (any more)`);
    if (stored.kind === 'zip') {
      const reader = new StoredZipReader(this.db, id);
      return openZipWith(
        () => yauzl.fromRandomAccessReaderPromise(reader, Number(stored.bytes), ZIP_OPTIONS),
        this.zipLimits,
      );
    }
    return this.#folderReader(id, new Map(files.map((file) => [file.name, Number(file.bytes)])));
  }

  /** Removes a package and its chunks; nothing happens when it is gone already. */
  async remove(id: string): Promise<void> {
    await this.db.query('delete from import_packages where id = $1', [id]);
  }

  /**
   * Removes packages that no unfinished job refers to and that are older than
   * ORPHAN_AGE_SECONDS (complete) or much older (an upload cut off half-way). Returns how many.
   */
  async removeOrphans(ages = ORPHAN_AGE_SECONDS): Promise<number> {
    const result = await this.db.query(
      `delete from import_packages p
       where created_at < now() - make_interval(secs => case when complete then $1::float8 else $2::float8 end)
         and not exists (select 1 from import_jobs j
                         where j.package_id = p.id and j.state in ('queued', 'active', 'retrying'))`,
      [ages.complete, ages.incomplete],
    );
    return result.rowCount ?? 0;
  }

  async #create(kind: 'zip' | 'folder'): Promise<string> {
    const { rows } = await this.db.query<{ id: string }>(
      'insert into import_packages (kind) values ($1) returning id',
      [kind],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error('inserting an import package returned no id');
    return id;
  }

  async #complete(id: string, kind: 'zip' | 'folder', hash: Hash, bytes: number): Promise<StoredPackage> {
    const sha256 = hash.digest('hex');
    await this.db.query('update import_packages set sha256 = $2, bytes = $3, complete = true where id = $1', [
      id,
      sha256,
      bytes,
    ]);
    return { id, kind, sha256, bytes };
  }

  /** Writes one file chunk by chunk: the next chunk is read only once the previous is stored. */
  async #writeFile(
    id: string,
    name: string,
    input: AsyncIterable<Buffer>,
    hash: Hash,
    maxBytes = Number.MAX_SAFE_INTEGER,
  ): Promise<number> {
    await this.db.query('insert into import_package_files (package_id, name) values ($1, $2)', [id, name]);
    let bytes = 0;
    let seq = 0;
    for await (const chunk of fixedChunks(input)) {
      bytes += chunk.length;
      if (bytes > maxBytes) throw new PackageTooLargeError(maxBytes);
      hash.update(chunk);
      await this.db.query(
        'insert into import_package_chunks (package_id, name, seq, data) values ($1, $2, $3, $4)',
        [id, name, seq++, chunk],
      );
    }
    await this.db.query('update import_package_files set bytes = $3 where package_id = $1 and name = $2', [
      id,
      name,
      bytes,
    ]);
    return bytes;
  }

  #folderReader(id: string, sizes: Map<string, number>): PackageReader {
    const db = this.db;
    const names = [...sizes.keys()];
    async function* chunksOf(name: string): AsyncGenerator<Buffer> {
      const count = Math.ceil((sizes.get(name) ?? 0) / PACKAGE_CHUNK_BYTES);
      const fetch = async (seq: number): Promise<Buffer> => {
        let rows;
        try {
          ({ rows } = await db.query<{ data: Buffer }>(
            'select data from import_package_chunks where package_id = $1 and name = $2 and seq = $3',
            [id, name, seq],
          ));
        } catch (error) {
          throw storageError(`${name}, chunk ${seq}`, error);
        }
        const data = rows[0]?.data;
        if (!data) throw new PackageMissingError(`the stored package ${id} lost chunk ${seq} of ${name}`);
        return data;
      };
      // one chunk ahead, so that the database read overlaps the parsing of the previous chunk
      let next = count > 0 ? fetch(0) : undefined;
      for (let seq = 0; next; seq++) {
        const current = next;
        next = seq + 1 < count ? fetch(seq + 1) : undefined;
        // fetched ahead: its error surfaces when the next turn awaits it
        next?.catch(() => undefined);
        yield await current;
      }
    }
    return {
      files: names.filter((name) => !name.endsWith('/')),
      nested: names.filter((name) => name.endsWith('/')),
      size: (name) => sizes.get(name) ?? 0,
      open(name) {
        if (!sizes.has(name) || name.endsWith('/'))
          return Promise.reject(new Error(`no file ${name} in the package`));
        return Promise.resolve(Readable.from(chunksOf(name), { objectMode: false }));
      },
      close() {
        // every read is its own query: nothing is held open
      },
    };
  }
}
