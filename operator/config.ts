import { hostname } from 'node:os';
import { loadConfig, type ConfigOf, type Setting } from '../lib/config/settings.js';
import { boolean, integer, oneOf, port, text } from '../lib/config/parsers.js';

const namespaceList = (raw: string): string[] => {
  const names = raw
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const bad = names.filter((name) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63);
  if (bad.length > 0) throw new Error(`not namespace names: ${bad.join(', ')}`);
  return names;
};

/** Every setting of the operator process; `rosterhub operator --namespaces a,b` overrides WATCH_NAMESPACES. */
export const operatorSettings = {
  watchNamespaces: {
    env: 'WATCH_NAMESPACES',
    doc: 'Comma-separated namespaces to watch; empty means all namespaces',
    default: [] as string[],
    parse: namespaceList,
  } satisfies Setting<string[]>,
  workers: {
    env: 'OPERATOR_WORKERS',
    doc: 'RosterHubInstances reconciled at the same time (one at a time per instance)',
    default: 4,
    parse: integer({ min: 1, max: 64 }),
  } satisfies Setting<number>,
  resyncSeconds: {
    env: 'RESYNC_SECONDS',
    doc: 'How often every instance is reconciled without a change event, repairing drift',
    default: 300,
    parse: integer({ min: 10, max: 86_400 }),
  } satisfies Setting<number>,
  leaderElect: {
    env: 'LEADER_ELECT',
    doc: 'Compete for a Lease so that only one replica reconciles. `auto`: in a cluster yes, outside one (a laptop against kind) no',
    default: 'auto',
    parse: (raw: string): boolean | 'auto' => {
      if (raw.toLowerCase() === 'auto') return 'auto';
      try {
        return boolean()(raw);
      } catch {
        throw new Error('expected auto, true or false');
      }
    },
  } satisfies Setting<boolean | 'auto'>,
  leaseNamespace: {
    env: 'LEASE_NAMESPACE',
    doc: 'Namespace of the leader-election Lease. Empty: in a cluster the operator’s own namespace, outside one `rosterhub-system`',
    default: '',
    parse: text({ pattern: /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, describe: 'a namespace name' }),
  } satisfies Setting<string>,
  leaseName: {
    env: 'LEASE_NAME',
    doc: 'Name of the leader-election Lease',
    default: 'rosterhub-operator',
    parse: text({ pattern: /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, describe: 'a Lease name' }),
  } satisfies Setting<string>,
  identity: {
    env: 'POD_NAME',
    doc: 'This replica’s identity in the Lease and in Events (the pod name in a cluster); empty: the host name',
    default: '',
    parse: (raw: string) => raw,
  } satisfies Setting<string>,
  cacheSyncTimeoutSeconds: {
    env: 'CACHE_SYNC_TIMEOUT_SECONDS',
    doc: 'How long a kind’s cache may take to sync (an RBAC gap, a broken conversion webhook) before reconciles fail naming it and, for the built-in kinds and RosterHubInstances, /healthz fails',
    default: 120,
    parse: integer({ min: 1, max: 3600 }),
  } satisfies Setting<number>,
  shutdownTimeoutSeconds: {
    env: 'SHUTDOWN_TIMEOUT_SECONDS',
    doc: 'On SIGTERM, how long reconciles in progress may take to finish before the Lease is released anyway',
    default: 15,
    parse: integer({ min: 1, max: 300 }),
  } satisfies Setting<number>,
  healthPort: {
    env: 'HEALTH_PORT',
    doc: 'Port of /healthz, /readyz and /metrics',
    default: 8081,
    parse: port(),
  } satisfies Setting<number>,
  logLevel: {
    env: 'LOG_LEVEL',
    doc: 'Lowest log level written',
    default: 'info',
    parse: oneOf(['error', 'warn', 'info', 'verbose', 'debug'] as const),
  } satisfies Setting<'error' | 'warn' | 'info' | 'verbose' | 'debug'>,
  logFormat: {
    env: 'LOG_FORMAT',
    doc: '`json` or `pretty`',
    default: 'json',
    parse: oneOf(['json', 'pretty'] as const),
  } satisfies Setting<'json' | 'pretty'>,
};

/** The operator's settings with the defaults that depend on where it runs resolved. */
export type OperatorConfig = Omit<ConfigOf<typeof operatorSettings>, 'leaderElect'> & {
  leaderElect: boolean;
};

/** Lease namespace outside a cluster, when none is set. */
const DEFAULT_LEASE_NAMESPACE = 'rosterhub-system';

/**
 * The settings, with what depends on where the operator runs resolved: `podNamespace` is the
 * namespace of the pod's service account when it runs in a cluster (undefined on a laptop), as
 * kubebuilder's `make run` runs without leader election and its Deployment with it.
 */
export function loadOperatorConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  podNamespace?: string,
): OperatorConfig {
  const config = loadConfig(operatorSettings, env);
  return {
    ...config,
    identity: config.identity === '' ? hostname() : config.identity,
    leaderElect: config.leaderElect === 'auto' ? podNamespace !== undefined : config.leaderElect,
    leaseNamespace: config.leaseNamespace || (podNamespace ?? DEFAULT_LEASE_NAMESPACE),
  };
}
