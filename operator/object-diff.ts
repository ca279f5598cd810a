import { parseQuantity } from '../cdk8s/quantity.js';

/** The value of a Kubernetes quantity (`500m`, `1Gi`), or undefined if it is not one. */
export function quantityValue(text: string): number | undefined {
  const value = parseQuantity(text);
  return Number.isNaN(value) ? undefined : value;
}

function scalarsEqual(live: unknown, desired: unknown): boolean {
  if (live === desired) return true;
  if (typeof desired === 'string' && typeof live === 'string') {
    // the API server canonicalises quantities (`1000m` → `1`)
    const a = quantityValue(desired);
    const b = quantityValue(live);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-9;
  }
  if (typeof desired === 'number' && typeof live === 'string') return String(desired) === live;
  return false;
}

/**
 * "Does the live object already say what we want?" — every field the operator sets must be
 * present and equal in the live object; fields the API server or other controllers add are
 * ignored. This is what lets an idle operator make no write requests, while an object edited
 * or deleted by hand is still repaired. What a subset check cannot see (a field the operator
 * stopped setting) the applied-intent annotation makes visible (applied-intent.ts).
 */
export function satisfies(live: unknown, desired: unknown): boolean {
  if (desired === null || desired === undefined) return true;
  // the API server drops empty lists and maps
  if (live === undefined && isEmpty(desired)) return true;
  if (Array.isArray(desired)) {
    return (
      Array.isArray(live) &&
      live.length === desired.length &&
      desired.every((item, index) => satisfies(live[index], item))
    );
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const liveRecord = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) =>
      satisfies(liveRecord[key], value),
    );
  }
  return scalarsEqual(live, desired);
}

function isEmpty(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
