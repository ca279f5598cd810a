import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /demographics. */
export function demographicsRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'demographics');
}
