import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /classes and the classes of courses, schools, terms, students, teachers and users. */
export function classesRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'classes');
}
