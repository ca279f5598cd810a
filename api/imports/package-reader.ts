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

async function openZip(path: string): Promise<PackageReader> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, {
      lazyEntries: true,
      autoClose: false,
      validateEntrySizes: true,
      strictFileNames: false,
    });
  } catch (error) {
    throw new PackageFormatError(
      `not a readable zip file (truncated or not a zip?): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
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
  return info.isDirectory() ? openDirectory(path) : openZip(path);
}
