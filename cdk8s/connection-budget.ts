import type { InstanceContext } from './context.js';

/** Connections one Pod holds at most, for the processes whose pools are fixed. */
const FIXED_POOLS = {
  /** The import worker's pool. */
  worker: 2,
  /** `rosterhub migrate`: its pool. */
  migration: 2,
  /** `rosterhub backup`: its pool, and pg_dump's connection. */
  backup: 3,
  /** Left for a person with psql (the runbook's debugging Pod). */
  people: 2,
};

/** The API's pool per Pod: at most this (the app's default), at least this, or the spec cannot fit. */
const API_POOL = { max: 10, min: 2 };

/** Connections RosterHub may open, when the spec does not say: PostgreSQL's 100 minus 3 superuser slots. */
const IN_CLUSTER_CONNECTIONS = 97;
const EXTERNAL_CONNECTIONS = 100;

/** How the database's connections are shared at the replica bounds. */
export interface ConnectionBudget {
  /** Connections RosterHub may open (spec.database.maxConnections, or its default). */
  limit: number;
  /** API Pods at most: its replicas and one surge Pod of a rollout. */
  apiPods: number;
  /** Worker Pods at most: the autoscaler's maximum and one surge Pod. */
  workerPods: number;
  /** DATABASE_POOL_MAX of each API Pod. */
  apiPoolPerPod: number;
  /** Connections open at once at the bounds, with that pool. */
  atMost: number;
  /** Whether that fits in the limit. */
  fits: boolean;
}

function connectionLimit(context: InstanceContext): number {
  const database = context.spec.database;
  if (database.maxConnections !== undefined) return database.maxConnections;
  if (database.mode === 'inCluster') return IN_CLUSTER_CONNECTIONS;
  if (database.mode === 'managed' && context.profile.managedServices) {
    return context.profile.managedServices.postgresUserConnections(database.instanceSize);
  }
  return EXTERNAL_CONNECTIONS;
}

/**
 * Pool sizes from the database's connection limit and the replica bounds (API, workers, a surge
 * Pod of each rollout, migration, backup, a person): the API pool is what is left per API Pod,
 * at most 10. A small managed tier (Azure B1ms: 35) thus never runs out at the autoscaler's
 * maximum; when even the smallest pool does not fit, `fits` is false and status says so.
 */
export function connectionBudget(context: InstanceContext): ConnectionBudget {
  const limit = connectionLimit(context);
  const apiPods = context.spec.api.replicas + 1;
  const workerPods = context.spec.worker.maxReplicas + 1;
  const fixed =
    workerPods * FIXED_POOLS.worker + FIXED_POOLS.migration + FIXED_POOLS.backup + FIXED_POOLS.people;
  const share = Math.floor((limit - fixed) / apiPods);
  const apiPoolPerPod = Math.min(API_POOL.max, Math.max(API_POOL.min, share));
  const atMost = fixed + apiPods * apiPoolPerPod;
  return { limit, apiPods, workerPods, apiPoolPerPod, atMost, fits: atMost <= limit };
}
