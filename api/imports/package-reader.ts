import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/** A package the importer cannot open at all (not a zip, truncated, unreadable folder). */
export class PackageFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackageFormatError';
  }
}

/** The stored package a job refers to is gone (removed after its job finished, or never complete). */
export class PackageMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageMissingError';
  }
}

/** Reading a stored package failed for a reason outside it (the database): worth a retry. */
export class PackageStorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackageStorageError';
  }
}

/** Errors of the storage, not of the package's content: passed on, never reported as a bad package. */
export const isStorageFailure = (error: unknown): boolean =>
  error instanceof PackageMissingError || error instanceof PackageStorageError;

/** The files of a package: a zip or a folder. `close()` is idempotent. */
export interface PackageReader {
  /** Entry names at the root (files only). */
  readonly files: readonly string[];
  /** Entry names below the root (not allowed by the spec; reported). */
  readonly nested: readonly string[];
  /** Uncompressed size in bytes of a file (for progress and ETA). */
  size(name: string): number;
  open(name: string): Promise<Readable>;
  close(): void;
}

/** The options every zip is opened with: entries one at a time, sizes checked while reading. */
export const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  validateEntrySizes: true,
  strictFileNames: false,
};

/** Opens a zip, turning what yauzl reports into a PackageFormatError. */
export async function openZipWith(open: () => Promise<yauzl.ZipFile>): Promise<PackageReader> {
  let zip: yauzl.ZipFile;
  try {
    zip = await open();
  } catch (error) {
    if (isStorageFailure(error)) throw error;
    throw new PackageFormatError(
      `not a readable zip file (truncated or not a zip?): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return zipReader(zip);
}

/** The entries of an open zip as a PackageReader (the zip is closed on failure). */
async function zipReader(zip: yauzl.ZipFile): Promise<PackageReader> {
  const entries = new Map<string, yauzl.Entry>();
  const nested: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (!name.endsWith('/')) {
          if (name.includes('/') || name.includes('\\')) nested.push(name);
          else entries.set(name, entry);
        }
        zip.readEntry();
      });
      zip.once('end', () => resolve());
      zip.once('error', reject);
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    if (isStorageFailure(error)) throw error;
    throw new PackageFormatError(`the zip's directory is damaged: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    files: [...entries.keys()],
    nested,
    size: (name) => entries.get(name)?.uncompressedSize ?? 0,
    async open(name) {
      const entry = entries.get(name);
      if (!entry) throw new Error(`no file ${name} in the package`);
      try {
        return await zip.openReadStreamPromise(entry);
      } catch (error) {
        if (isStorageFailure(error)) throw error;
        throw new PackageFormatError(`cannot read ${name} from the zip: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    close() {
      if (zip.isOpen) zip.close();
    },
  };
}

async function openDirectory(path: string): Promise<PackageReader> {
  const listing = await readdir(path, { withFileTypes: true });
  const files = listing.filter((entry) => entry.isFile()).map((entry) => entry.name);
  const nested = listing.filter((entry) => entry.isDirectory()).map((entry) => `${entry.name}/`);
  const sizes = new Map<string, number>();
  for (const name of files) sizes.set(name, (await stat(join(path, name))).size);
  return {
    files,
    nested,
    size: (name) => sizes.get(name) ?? 0,
    open(name) {
      if (!files.includes(name)) return Promise.reject(new Error(`no file ${name} in the package`));
      return Promise.resolve(createReadStream(join(path, name), { highWaterMark: 256 * 1024 }));
    },
    close() {
      // nothing held open
    },
  };
}

/** Opens a package: a folder holding the CSV files, or a zip. */
export async function openPackage(path: string): Promise<PackageReader> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new PackageFormatError(`cannot read the package at ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return info.isDirectory() ? openDirectory(path) : openZipWith(() => yauzl.openPromise(path, ZIP_OPTIONS));
}
