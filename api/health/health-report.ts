import type { DependencyStatuses } from './dependency-checks.js';

/**
 * The `/health` body in the shape the original RosterHub documented (and NestJS Terminus uses):
 * `info` holds the dependencies that are up, `error` those that are down, `details` all of them.
 */
export interface HealthReport {
  status: 'ok' | 'error';
  info: DependencyStatuses;
  error: DependencyStatuses;
  details: DependencyStatuses;
}

export function toHealthReport(statuses: DependencyStatuses): HealthReport {
  const info: DependencyStatuses = {};
  const error: DependencyStatuses = {};
  for (const [name, status] of Object.entries(statuses)) {
    if (status.status === 'up') info[name] = status;
    else error[name] = status;
  }
  return { status: Object.keys(error).length === 0 ? 'ok' : 'error', info, error, details: statuses };
}
