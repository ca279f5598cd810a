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

/**
 * What a zip may hold before it is read, so that a zip bomb is refused from its directory,
 * before a byte of it is inflated into PostgreSQL. yauzl checks while reading that no entry
 * inflates beyond the size its directory declares.
 */
export interface ZipLimits {
  /** Entries of any kind (a OneRoster package has a dozen files). */
  entries: number;
  /** Uncompressed bytes of every file together (IMPORT_MAX_UNCOMPRESSED_BYTES). */
  uncompressedBytes: number;
  /** How many times a file may expand; CSV compresses 5 to 20 times. */
  ratio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = { entries: 1000, uncompressedBytes: 64 * 2 ** 30, ratio: 200 };

/** Files smaller than this are not held to the ratio (a tiny file may compress very well). */
const RATIO_FLOOR_BYTES = 1 << 20;

const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MiB`;

/** Opens a zip, turning what yauzl reports into a PackageFormatError. */
export async function openZipWith(
  open: () => Promise<yauzl.ZipFile>,
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<PackageReader> {
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
  return zipReader(zip, limits);
}

/** Why an entry of the zip is refused, if it is. */
function refusal(entry: yauzl.Entry, count: number, total: number, limits: ZipLimits): string | undefined {
  if (count > limits.entries)
    return `the zip has more than ${limits.entries} entries; a OneRoster package has a dozen files`;
  if (total > limits.uncompressedBytes)
    return `the zip's files would take more than ${mib(limits.uncompressedBytes)} uncompressed (IMPORT_MAX_UNCOMPRESSED_BYTES)`;
  const { uncompressedSize, compressedSize } = entry;
  if (uncompressedSize > RATIO_FLOOR_BYTES && uncompressedSize > Math.max(1, compressedSize) * limits.ratio)
    return `${entry.fileName} would expand from ${compressedSize} bytes to ${mib(uncompressedSize)}, more than ${limits.ratio} times: refused as a zip bomb`;
  return undefined;
}

/** The entries of an open zip as a PackageReader (the zip is closed on failure). */
async function zipReader(zip: yauzl.ZipFile, limits: ZipLimits): Promise<PackageReader> {
  const entries = new Map<string, yauzl.Entry>();
  const nested: string[] = [];
  let count = 0;
  let total = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        count += 1;
        total += entry.uncompressedSize;
        const refused = refusal(entry, count, total, limits);
        if (refused !== undefined) {
          reject(new PackageFormatError(refused));
          return;
        }
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
    if (isStorageFailure(error) || error instanceof PackageFormatError) throw error;
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
