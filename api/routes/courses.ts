import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /courses, /schools/{id}/courses. */
export function coursesRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'courses');
}
