import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import yazl from 'yazl';
import {
  DEFAULT_ZIP_LIMITS,
  PackageFormatError,
  ZIP_OPTIONS,
  openZipWith,
} from '../../../api/imports/package-reader.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'rh-zip-limits-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes a zip of the given files (name → content) and returns its path. */
async function zipOf(name: string, files: Iterable<[string, Buffer]>): Promise<string> {
  const path = join(work, `${name}.zip`);
  const zip = new yazl.ZipFile();
  for (const [file, content] of files) zip.addBuffer(content, file);
  zip.end();
  const out = createWriteStream(path);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
  return path;
}

const open = (path: string, limits = DEFAULT_ZIP_LIMITS) =>
  openZipWith(() => yauzl.openPromise(path, ZIP_OPTIONS), limits);

describe('zip bombs are refused from the zip directory', () => {
  it('When a file inflates more than 200 times (64 MiB of zeros), then the package is refused naming it, before any of it is read', async () => {
    const path = await zipOf('bomb', [
      ['manifest.csv', Buffer.from('propertyName,value\n')],
      ['users.csv', Buffer.alloc(64 * 2 ** 20)],
    ]);
    await expect(open(path)).rejects.toThrow(PackageFormatError);
    await expect(open(path)).rejects.toThrow(
      /users\.csv would expand from \d+ bytes to 64 MiB, more than 200 times/,
    );
  });

  it('When the zip has thousands of entries, then it is refused', async () => {
    const path = await zipOf(
      'many',
      Array.from({ length: 1200 }, (_, i): [string, Buffer] => [`file-${i}.csv`, Buffer.from('a,b\n')]),
    );
    await expect(open(path)).rejects.toThrow(/more than 1000 entries/);
  });

  it('When the files together inflate beyond the limit, then it is refused naming the setting; an ordinary package opens', async () => {
    const csv = Buffer.from(
      Array.from({ length: 20_000 }, (_, i) => `user-${i},Given ${i * 7919},Family ${i % 97}\n`).join(''),
    );
    const path = await zipOf('large', [
      ['users.csv', csv],
      ['enrollments.csv', csv],
    ]);
    await expect(open(path, { ...DEFAULT_ZIP_LIMITS, uncompressedBytes: csv.length + 10 })).rejects.toThrow(
      /IMPORT_MAX_UNCOMPRESSED_BYTES/,
    );
    const reader = await open(path);
    expect([...reader.files].sort()).toEqual(['enrollments.csv', 'users.csv']);
    reader.close();
  });
});
