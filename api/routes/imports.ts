import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { RequestHandler, Router } from 'express';
import type { Queue } from 'bullmq';
import { AppError, BadRequestError, NotFoundError } from '../errors.js';
import type { Queryable } from '../data/data-version.js';
import { submitImport, type ImportJobData } from '../imports/import-queue.js';
import { PackageStore, PackageTooLargeError, type StoredPackage } from '../imports/package-store.js';
import { ImportJobStore } from '../imports/job-store.js';

/** Where the admin endpoints live. */
export const ADMIN_BASE = '/rosterhub/v1';

export interface ImportRoutesContext {
  db: Queryable;
  queue: Queue<ImportJobData>;
  maxUploadBytes: number;
  admin: RequestHandler;
}

const truthy = (value: string | undefined): boolean => value === 'true' || value === '1';

/** Reads the multipart body: the `package` file (a zip) into the package store, plus `dryRun`/`strict` fields. */
function receive(
  req: Readable & { headers: Record<string, string | string[] | undefined> },
  ctx: ImportRoutesContext,
): Promise<{ stored: StoredPackage; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1024 } });
    } catch {
      reject(
        new BadRequestError('send the package as multipart/form-data with a file field named "package"'),
      );
      return;
    }
    const fields: Record<string, string> = {};
    let upload: Promise<StoredPackage> | undefined;
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      if (name !== 'package' || upload) {
        stream.resume();
        return;
      }
      upload = new PackageStore(ctx.db).saveZip(stream, ctx.maxUploadBytes);
      upload.catch(() => req.unpipe(parser));
    });
    parser.on('error', (error: Error) =>
      reject(new BadRequestError(`malformed multipart body: ${error.message}`)),
    );
    parser.on('close', () => {
      if (!upload) {
        reject(new BadRequestError('the multipart body has no file field named "package"'));
        return;
      }
      upload.then((stored) => resolve({ stored, fields }), reject);
    });
    req.pipe(parser);
  });
}

/** `POST /rosterhub/v1/imports` (multipart upload) and `GET /rosterhub/v1/imports/{id}`. */
export function importRoutes(router: Router, ctx: ImportRoutesContext): void {
  const store = new ImportJobStore(ctx.db);
  router.post('/imports', ctx.admin, async (req, res) => {
    let received;
    try {
      received = await receive(req, ctx);
    } catch (error) {
      if (error instanceof PackageTooLargeError)
        throw new AppError(error.message, 'PAYLOAD_TOO_LARGE', 413, 'invaliddata');
      throw error;
    }
    const { job, queued } = await submitImport(ctx.db, ctx.queue, received.stored, {
      dryRun: truthy(received.fields.dryRun),
      strict: truthy(received.fields.strict),
    });
    res
      .status(queued ? 202 : 200)
      .location(`${ADMIN_BASE}/imports/${job.id}`)
      .json(job);
  });
  router.get('/imports/:id', ctx.admin, async (req, res) => {
    const id = String(req.params.id);
    const job = await store.find(id);
    if (!job) throw new NotFoundError(`no import ${id}`);
    res.json(job);
  });
}
