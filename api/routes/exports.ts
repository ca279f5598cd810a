import { pipeline } from 'node:stream/promises';
import type { RequestHandler, Router } from 'express';
import { BadRequestError } from '../errors.js';
import { exportPackage } from '../exports/exporter.js';

/** `GET /rosterhub/v1/exports[?mode=bulk|delta]`: the roster as a streamed OneRoster CSV zip. */
export function exportRoutes(router: Router, databaseUrl: string, admin: RequestHandler): void {
  router.get('/exports', admin, async (req, res) => {
    const mode = typeof req.query.mode === 'string' ? req.query.mode : 'bulk';
    if (mode !== 'bulk' && mode !== 'delta') throw new BadRequestError('mode must be bulk or delta');
    const stream = await exportPackage(databaseUrl, mode);
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
