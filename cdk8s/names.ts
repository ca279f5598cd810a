/**
 * Every object name, label and port of a synthesized district comes from here; constructs
 * never build one inline. Changing a selector label or a name breaks running districts
 * (selectors are immutable), so treat these as API.
 */
import { createHash } from 'node:crypto';

/** Parts of a district that get their own Pods. */
export type Component = 'api' | 'worker' | 'migration' | 'backup' | 'postgres' | 'redis';

/** Well-known label keys. */
export const labelKeys = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
} as const;

/** Well-known annotation keys. */
export const annotationKeys = {
  /** On pod templates: hash of the app ConfigMap, so a settings change rolls the Pods. */
  configHash: 'rosterhub.io/config-hash',
} as const;

/** Value of `app.kubernetes.io/name` and `part-of` on everything RosterHub creates. */
export const appName = 'rosterhub';
/** Value of `app.kubernetes.io/managed-by`; also the operator's field manager prefix. */
export const managedBy = 'rosterhub-operator';

/** Database and role the app uses inside PostgreSQL (every mode but external). */
export const databaseName = 'rosterhub';
/** PostgreSQL role (inCluster owner, managed administrator login). */
export const databaseUser = 'rosterhub';

/** /healthz, /readyz, /health and /metrics of the API: probes and Prometheus, never the Ingress. */
const API_HEALTH_PORT = 8081;

/** Container ports and their names. */
export const ports = {
  api: { name: 'http', number: 3000 },
  apiHealth: { name: 'health', number: API_HEALTH_PORT },
  apiService: { name: 'http', number: 80 },
  apiMetricsService: { name: 'metrics', number: API_HEALTH_PORT },
  postgres: { name: 'postgres', number: 5432 },
  redis: { name: 'redis', number: 6379 },
  redisTls: { name: 'redis-tls', number: 6380 },
  dns: 53,
  https: 443,
} as const;

/** Short stable hash (hex) of a string, for names that must stay within 63 characters. */
export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** A version as a label value / name segment: `1.4.2-rc.1+b5` → `1-4-2-rc-1-b5`. */
export function versionSlug(version: string): string {
  return version
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A version as a label value: `1.4.2+build.5` → `1.4.2-build.5` (63 characters at most). */
export function versionLabel(version: string): string {
  return version
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/** Labels on every object of an instance. */
export function instanceLabels(instance: string): Record<string, string> {
  return {
    [labelKeys.name]: appName,
    [labelKeys.instance]: instance,
    [labelKeys.partOf]: appName,
    [labelKeys.managedBy]: managedBy,
  };
}

/** Labels that select one component's Pods. Never add to these: selectors are immutable. */
export function selectorLabels(instance: string, component: Component): Record<string, string> {
  return { [labelKeys.name]: appName, [labelKeys.instance]: instance, [labelKeys.component]: component };
}

/** Labels selecting every Pod of an instance (NetworkPolicies). */
export function instancePodSelector(instance: string): Record<string, string> {
  return { [labelKeys.name]: appName, [labelKeys.instance]: instance };
}

/**
 * Labels of a component's objects: instance labels, component and, when given, the RosterHub
 * version. Leave the version out where a change would restart or is immutable (data-service
 * pod templates, volumeClaimTemplates).
 */
export function componentLabels(
  instance: string,
  component: Component,
  version?: string,
): Record<string, string> {
  return {
    ...instanceLabels(instance),
    [labelKeys.component]: component,
    ...(version === undefined ? {} : { [labelKeys.version]: versionLabel(version) }),
  };
}

/** Names of every object of one instance. */
export class InstanceNames {
  constructor(
    readonly instance: string,
    readonly namespace: string,
  ) {}

  /** API Deployment, Service, PodDisruptionBudget, Ingress and ServiceMonitor. */
  get api(): string {
    return `${this.instance}-api`;
  }
  /** Worker Deployment and HorizontalPodAutoscaler. */
  get worker(): string {
    return `${this.instance}-worker`;
  }
  /** ServiceAccount of the API, worker and migration Pods (no cloud identity, no token). */
  get appServiceAccount(): string {
    return `${this.instance}-app`;
  }
  /** ServiceAccount of backup Pods (carries the workload identity, if any). */
  get backupServiceAccount(): string {
    return `${this.instance}-backup`;
  }
  /** ConfigMap of the app's non-secret settings. */
  get appConfig(): string {
    return `${this.instance}-config`;
  }
  /** ConfigMap holding the Grafana dashboard. */
  get dashboards(): string {
    return `${this.instance}-dashboards`;
  }
  /** Backup CronJob (at most 52 characters, which a 30-character instance name leaves room for). */
  get backupCronJob(): string {
    return `${this.instance}-backup`;
  }
  /** PersistentVolumeClaim of `pvc` backups. */
  get backupVolume(): string {
    return `${this.instance}-backups`;
  }
  /** StatefulSet and headless Service of the inCluster PostgreSQL. */
  get postgres(): string {
    return `${this.instance}-postgres`;
  }
  /** StatefulSet and headless Service of the inCluster Redis. */
  get redis(): string {
    return `${this.instance}-redis`;
  }
  /** Secret with key `password` for PostgreSQL (inCluster, managed); generated by the operator. */
  get postgresCredentials(): string {
    return `${this.instance}-postgres-credentials`;
  }
  /** Secret with key `password` for Redis (inCluster, managed on eks); generated by the operator. */
  get redisCredentials(): string {
    return `${this.instance}-redis-credentials`;
  }
  /** Secret a managed-service provisioner writes the server's host (and port, key) into. */
  get postgresConnection(): string {
    return `${this.instance}-postgres-connection`;
  }
  /** Secret a managed-service provisioner writes the Redis host (and port, key) into. */
  get redisConnection(): string {
    return `${this.instance}-redis-connection`;
  }
  /** Globally unique cloud name of the managed PostgreSQL server (Azure DNS, RDS identifier). */
  get managedPostgresServer(): string {
    return this.cloudName('pg', 63);
  }
  /** Globally unique cloud name of the managed Redis. */
  get managedRedis(): string {
    return this.cloudName('redis', 40);
  }
  /** ElastiCache parameter group with `maxmemory-policy noeviction` (object and cloud name). */
  get redisParameterGroup(): string {
    return `${this.managedRedis}-noeviction`;
  }
  /** Azure database resource inside the managed server. */
  get postgresDatabase(): string {
    return `${this.instance}-postgres-db`;
  }
  /** Azure firewall rule admitting Azure services (public-access servers only). */
  get postgresFirewallRule(): string {
    return `${this.instance}-postgres-azure`;
  }
  /** ACK FieldExport copying the RDS endpoint into the connection Secret. */
  get postgresHostExport(): string {
    return `${this.instance}-postgres-host`;
  }
  /** ACK FieldExport copying the ElastiCache endpoint into the connection Secret. */
  get redisHostExport(): string {
    return `${this.instance}-redis-host`;
  }

  /**
   * Migration Job of one version. The pod-template hash makes any change of the (immutable)
   * template a new Job instead of a failed apply; a new Job re-runs idempotent migrations.
   */
  migrationJob(version: string, templateHash: string): string {
    const suffix = `-${templateHash.slice(0, 5)}`;
    const head = `${this.instance}-migrate-`;
    const room = 63 - head.length - suffix.length;
    return `${head}${versionSlug(version).slice(0, room).replace(/-+$/, '')}${suffix}`;
  }

  /** One NetworkPolicy per purpose: `default-deny`, `dns`, `api`, `app-egress`, ... */
  networkPolicy(purpose: string): string {
    return `${this.instance}-${purpose}`;
  }

  /**
   * `rh-<namespace>-<instance>-<kind>`, or `rh-<instance…>-<hash>-<kind>` past `maxLength`
   * (ElastiCache allows 40). No double hyphens: RDS and ElastiCache refuse them.
   */
  private cloudName(kind: string, maxLength: number): string {
    const full = `rh-${this.namespace}-${this.instance}-${kind}`.replace(/-{2,}/g, '-');
    if (full.length <= maxLength) return full;
    const hash = shortHash(`${this.namespace}/${this.instance}`);
    const room = maxLength - `rh--${hash}-${kind}`.length;
    const head = this.instance.slice(0, room).replace(/-{2,}/g, '-').replace(/-+$/, '');
    return `rh-${head}-${hash}-${kind}`;
  }
}
