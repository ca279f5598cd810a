import { pipeline } from 'node:stream/promises';
import type { RequestHandler, Router } from 'express';
import { BadRequestError, ServiceUnavailableError, TooManyRequestsError } from '../errors.js';
import type { ExportSlots } from '../exports/export-slots.js';
import { exportPackage } from '../exports/exporter.js';

/**
 * `GET /rosterhub/v1/exports[?mode=bulk|delta]`: the roster as a streamed OneRoster CSV zip, at
 * most EXPORT_CONCURRENCY at once across Pods (429 beyond).
 */
export function exportRoutes(
  router: Router,
  databaseUrl: string,
  admin: RequestHandler,
  slots: ExportSlots,
): void {
  router.get('/exports', admin, async (req, res) => {
    const mode = typeof req.query.mode === 'string' ? req.query.mode : 'bulk';
    if (mode !== 'bulk' && mode !== 'delta') throw new BadRequestError('mode must be bulk or delta');
    const slot = await slots.acquire().catch(() => {
      throw new ServiceUnavailableError('exports cannot start right now; retry later');
    });
    if (!slot) throw new TooManyRequestsError('as many exports as allowed are running; retry later', 30);
    res.once('close', () => void slot.release());
    const stream = await exportPackage(databaseUrl, mode).catch(async (error: unknown) => {
      await slot.release();
      throw error;
    });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    res.status(200).set({
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="oneroster-${mode}-${stamp}.zip"`,
    });
    await pipeline(stream, res).catch((error: unknown) => {
      if (!res.headersSent) throw error;
      res.destroy(error as Error);
    });
  });
}
