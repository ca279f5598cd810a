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
  /** Uploads count as admin actions; reading a job's state does not. */
  admin: { submit: RequestHandler; status: RequestHandler };
}

const truthy = (value: string | undefined): boolean => value === 'true' || value === '1';

/** Room for the multipart framing and the small fields around the package in a declared length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Reads the multipart body: the `package` file (a zip) into the package store, plus `dryRun`/`strict` fields. */
function receive(
  req: Readable & { headers: Record<string, string | string[] | undefined> },
  ctx: ImportRoutesContext,
): Promise<{ stored: StoredPackage; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    // A declared length that cannot fit is refused before a byte of the body is read.
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > ctx.maxUploadBytes + MULTIPART_OVERHEAD_BYTES) {
      reject(new PackageTooLargeError(ctx.maxUploadBytes));
      return;
    }
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
      // Too large (or the store failed): answer now, not when the client has sent everything.
      upload.catch((error: unknown) => {
        req.unpipe(parser);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
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
  router.post('/imports', ctx.admin.submit, async (req, res) => {
    let received;
    try {
      received = await receive(req, ctx);
    } catch (error) {
      // The rest of the body is not read: the connection closes after the answer.
      if (!req.complete) res.set('connection', 'close');
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
  router.get('/imports/:id', ctx.admin.status, async (req, res) => {
    const id = String(req.params.id);
    const job = await store.find(id);
    if (!job) throw new NotFoundError(`no import ${id}`);
    res.json(job);
  });
}
