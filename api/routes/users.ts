import type { Router } from 'express';
import { registerEndpoints, type RouteContext } from './endpoint-handlers.js';

/** /users, /students, /teachers and the users of classes and schools. */
export function usersRoutes(router: Router, ctx: RouteContext): void {
  registerEndpoints(router, ctx, 'users');
}
