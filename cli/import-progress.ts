import type { ImportJobView } from '../api/imports/job-store.js';

const WIDTH = 30;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Renders an import's progress: on a terminal one line redrawn in place (bar, file, rows, rows/s,
 * ETA); otherwise a plain line every few seconds. Rates are measured between renders.
 */
export class ProgressView {
  #lastRows = 0;
  #lastAt = performance.now();
  #rate = 0;
  #lastPlain = 0;
  readonly #started = performance.now();

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(job: ImportJobView): void {
    const files = job.progress?.files ?? [];
    const rows = files.reduce((sum, f) => sum + f.rows, 0);
    const bytesTotal = files.reduce((sum, f) => sum + f.bytesTotal, 0);
    const bytes = files.reduce((sum, f) => sum + (f.state === 'read' ? f.bytesTotal : f.bytes), 0);
    const now = performance.now();
    const elapsed = (now - this.#lastAt) / 1000;
    if (elapsed >= 0.5) {
      const instant = (rows - this.#lastRows) / elapsed;
      this.#rate = this.#rate === 0 ? instant : 0.7 * this.#rate + 0.3 * instant;
      this.#lastRows = rows;
      this.#lastAt = now;
    }
    const fraction = bytesTotal > 0 ? Math.min(1, bytes / bytesTotal) : 0;
    const phase = job.state === 'queued' ? 'queued' : (job.progress?.phase ?? job.state);
    const current = files.find((f) => f.state === 'reading')?.file ?? '';
    const bytesRate = fraction > 0 ? bytes / ((now - this.#started) / 1000) : 0;
    const eta = phase === 'reading' && bytesRate > 0 ? (bytesTotal - bytes) / bytesRate : Number.NaN;
    const filled = Math.round(fraction * WIDTH);
    const text =
      `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ` +
      `${phase} ${current} ${rows.toLocaleString('en-US')} rows ${Math.round(this.#rate).toLocaleString('en-US')} rows/s ETA ${duration(eta)}`;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
    } else if (now - this.#lastPlain > 5000) {
      this.#lastPlain = now;
      this.out.write(`${text}\n`);
    }
  }

  done(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
