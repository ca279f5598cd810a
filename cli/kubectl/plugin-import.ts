import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ImportJobView } from '../../api/imports/job-store.js';
import { ADMIN_BASE } from '../../api/routes/imports.js';
import { followImport } from '../import-follow.js';

async function answerOf(response: Response, what: string): Promise<ImportJobView> {
  const text = await response.text();
  if (!response.ok) {
    let message = text;
    try {
      const body = JSON.parse(text) as { imsx_description?: string; error_description?: string };
      message = body.imsx_description ?? body.error_description ?? text;
    } catch {
      // not JSON: the text is the message
    }
    throw new Error(`${what}: HTTP ${response.status}: ${message}`);
  }
  return JSON.parse(text) as ImportJobView;
}

/**
 * Uploads a package zip to `POST /rosterhub/v1/imports` at `apiUrl` with an admin key, then
 * follows the job through `GET /rosterhub/v1/imports/{id}` with the same progress bar and
 * report as `rosterhub import`. Resolves to the exit code.
 */
export async function importThroughApi(
  apiUrl: string,
  key: string,
  file: string,
  options: { dryRun: boolean; strict: boolean },
): Promise<number> {
  if (!(await stat(file)).isFile()) throw new Error(`${file} is not a file: send a package as a zip`);
  const form = new FormData();
  form.set('dryRun', String(options.dryRun));
  form.set('strict', String(options.strict));
  form.set('package', await openAsBlob(file, { type: 'application/zip' }), basename(file));
  const headers = { 'x-api-key': key };
  const job = await answerOf(
    await fetch(`${apiUrl}${ADMIN_BASE}/imports`, { method: 'POST', headers, body: form }),
    `uploading ${file}`,
  );
  process.stderr.write(`import ${job.id}: ${job.state}\n`);
  return followImport(job, async () =>
    answerOf(
      await fetch(`${apiUrl}${ADMIN_BASE}/imports/${job.id}`, { headers }),
      `reading import ${job.id}`,
    ),
  );
}
