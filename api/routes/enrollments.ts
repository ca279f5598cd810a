import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /enrollments and the enrollments of schools and their classes. */
export function enrollmentsRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'enrollments');
}
