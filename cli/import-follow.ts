import { setTimeout as sleep } from 'node:timers/promises';
import type { ImportJobView } from '../api/imports/job-store.js';
import { printJson } from './database-command.js';
import { ProgressView } from './import-progress.js';

const FINISHED = new Set(['completed', 'rejected', 'failed']);

/** Prints a rejected job's problems on stderr, one per line, with the totals. */
function printProblems(job: ImportJobView): void {
  const report = job.result?.report;
  if (!report) return;
  for (const p of [...report.errors, ...report.warnings]) {
    const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
    const value = p.value === undefined ? '' : ` (value ${JSON.stringify(p.value)})`;
    process.stderr.write(
      `${p.severity === 'error' ? 'error' : 'warning'} ${where} [${p.rule}] ${p.message}${value}\n`,
    );
  }
  process.stderr.write(
    `${report.totals.errors} errors, ${report.totals.warnings} warnings${report.truncated ? ' (list capped)' : ''}\n`,
  );
}

/**
 * Follows a submitted import with the progress bar on stderr until it ends, then prints its
 * summary (JSON on stdout) and its problems. `latest` reads the job again, from PostgreSQL
 * (`rosterhub import`) or through the API (`kubectl rosterhub import`). Returns the exit code:
 * 0 applied (or unchanged, or a passed dry run), 1 rejected or failed.
 */
export async function followImport(
  job: ImportJobView,
  latest: () => Promise<ImportJobView | undefined>,
): Promise<number> {
  const view = new ProgressView(process.stderr);
  let current = job;
  while (!FINISHED.has(current.state)) {
    await sleep(250);
    current = (await latest()) ?? current;
    view.update(current);
  }
  view.done();
  const { result, progress: _progress, ...summary } = current;
  printJson({
    ...summary,
    counts: result?.counts,
    timings: { ...summary.timings, phases: result?.timings },
  });
  if (current.state === 'rejected') {
    printProblems(current);
    return 1;
  }
  if (current.result?.report.warnings.length) printProblems(current);
  return current.state === 'completed' ? 0 : 1;
}
