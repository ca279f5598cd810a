import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /orgs, /schools, /schools/{id}/…. */
export function orgsRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'orgs');
}
