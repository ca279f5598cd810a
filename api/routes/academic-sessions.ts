import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /academicSessions, /terms, /gradingPeriods, /schools/{id}/terms, /terms/{id}/gradingPeriods. */
export function academicSessionsRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'academicSessions');
}
