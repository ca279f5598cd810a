import { Type } from '@sinclair/typebox';
import { Resources } from './workloads.js';
import { PatternString, SecretRef, StringEnum, patterns, withRules } from './schema-helpers.js';

/** Where a data service runs. */
export const dataServiceModes = ['inCluster', 'managed', 'external'] as const;

/** Share of its memory limit an in-cluster Redis may fill before it refuses writes (noeviction). */
export const redisMaxmemoryShare = 0.8;

/** Sizes a managed service comes in; the platform profile maps them to the cloud's SKUs. */
export const instanceSizes = ['small', 'medium', 'large'] as const;

/** One of {@link instanceSizes}: `spec.database.instanceSize` and `spec.redis.instanceSize`. */
export type InstanceSize = (typeof instanceSizes)[number];

function Mode(service: string, port: string) {
  return withRules(
    StringEnum(dataServiceModes, {
      description:
        `Where ${service} runs. \`inCluster\`: a StatefulSet with a PersistentVolumeClaim in this namespace. ` +
        `\`managed\`: the cloud's own service (aks: Azure, eks: AWS), provisioned through Kubernetes resources; not available on kind. ` +
        `\`external\`: a server you run, reached through \`externalSecretRef\`; the NetworkPolicy opens the port its Secret names (without one, ${port}). ` +
        'Immutable: moving data between modes is a backup and a restore into a new instance.',
      default: 'inCluster',
    }),
    [{ rule: 'self == oldSelf', message: 'mode is immutable' }],
  );
}

function Storage(what: string, size: string, note?: string) {
  return withRules(
    Type.Object(
      {
        size: PatternString(patterns.bytes, 32, {
          description: `Capacity of the ${what} volume (inCluster) or of the managed server's storage (managed).${note ? ` ${note}` : ''}`,
          default: size,
        }),
        className: Type.Optional(
          PatternString(patterns.dnsSubdomain, 253, {
            description:
              'StorageClass of the volume. Default: the platform profile (kind `standard`, aks `managed-csi`, eks `gp3`).',
          }),
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description: `Storage for ${what}. The size may grow but not shrink; the class is fixed once set.`,
      },
    ),
    [
      {
        rule: 'quantity(self.size).compareTo(quantity(oldSelf.size)) >= 0',
        message: 'size may not shrink',
        fieldPath: '.size',
      },
      {
        rule: 'has(self.className) == has(oldSelf.className) && (!has(self.className) || self.className == oldSelf.className)',
        message: 'className is immutable',
        fieldPath: '.className',
      },
    ],
  );
}

const DeletionPolicy = StringEnum(['Retain', 'Delete'], {
  description:
    'What happens to the data when the instance is deleted. `Retain` keeps the PersistentVolumeClaim or the cloud server (detached from Kubernetes); `Delete` removes it.',
  default: 'Retain',
});

const InstanceSize = StringEnum(instanceSizes, {
  description:
    'Size of a managed server (managed mode only); the platform profile maps it to the cloud SKU (see docs/managed-services.md).',
  default: 'small',
});

const Image = PatternString('^[a-z0-9]([-a-z0-9._:/@]*[a-z0-9])?$', 255, {
  description: 'Container image for inCluster mode. Default: the official image for `version`.',
});

function externalRule(field: string) {
  return [
    {
      rule: "self.mode != 'external' || has(self.externalSecretRef)",
      message: `externalSecretRef is required when mode is external`,
      fieldPath: '.externalSecretRef',
      reason: 'FieldValueRequired' as const,
      holds: (self: { mode: string; externalSecretRef?: unknown }) =>
        self.mode !== 'external' || self.externalSecretRef !== undefined,
    },
    {
      rule: "self.mode == 'external' || !has(self.externalSecretRef)",
      message: `externalSecretRef is only allowed when mode is external (${field})`,
      fieldPath: '.externalSecretRef',
      reason: 'FieldValueForbidden' as const,
      holds: (self: { mode: string; externalSecretRef?: unknown }) =>
        self.mode === 'external' || self.externalSecretRef === undefined,
    },
  ];
}

/** `spec.database` */
export const DatabaseSpec = withRules(
  Type.Object(
    {
      mode: Mode('PostgreSQL', 'port 5432'),
      version: StringEnum(['15', '16', '17'], {
        description:
          'PostgreSQL major version. inCluster: fixed once created (a major upgrade is a dump and restore). managed: may only go up.',
        default: '16',
      }),
      storage: Storage(
        'PostgreSQL',
        '10Gi',
        'inCluster: sets `max_wal_size` to a fifth of it (1GB to 8GB, at most a quarter of the volume) and `min_wal_size` to a quarter of that.',
      ),
      resources: Resources(
        'PostgreSQL (inCluster)',
        {
          requests: { cpu: '250m', memory: '512Mi' },
          limits: { cpu: '1', memory: '1Gi' },
        },
        'The memory limit sizes the server: `shared_buffers` and a memory-backed /dev/shm a quarter of it each, ' +
          '`effective_cache_size` three quarters, `maintenance_work_mem` a sixteenth (64MB to 1GB).',
      ),
      image: Type.Optional(Image),
      instanceSize: InstanceSize,
      maxConnections: Type.Optional(
        Type.Integer({
          minimum: 10,
          maximum: 100000,
          description:
            'Connections RosterHub may open to the server: its max_connections minus what it reserves. Pool sizes derive from it and the replica bounds, and status (DatabaseConnections) says when the spec cannot fit. Default: inCluster 97 (100 minus 3 superuser slots), managed by `instanceSize` (docs/managed-services.md), external 100.',
        }),
      ),
      externalSecretRef: Type.Optional(
        SecretRef(
          'Secret with the keys `host`, `port`, `username`, `password`, `database` and `sslmode` of an external server (external mode only). ' +
            'The app escapes the password when it composes its connection URL, so any characters are fine. ' +
            'An optional key `poolMode: transaction` says the server is a pooler in transaction mode (PgBouncer, …): docs/managed-services.md.',
        ),
      ),
      caBundleRef: Type.Optional(
        Type.Object(
          {
            name: PatternString(patterns.dnsSubdomain, 253, { description: 'Name of the ConfigMap.' }),
            key: PatternString('^[-._a-zA-Z0-9]+$', 253, {
              description: 'Key holding the PEM certificates.',
              default: 'ca.crt',
            }),
          },
          {
            additionalProperties: false,
            description:
              'ConfigMap with the PEM certificate(s) of the CA that signed the server certificate, trusted besides the public roots and the Amazon RDS roots (which need nothing), e.g. for a server with a private CA and `sslmode` `verify-full`. Every process that connects (API, worker, migration, backup) reads it.',
          },
        ),
      ),
      deletionPolicy: DeletionPolicy,
    },
    { additionalProperties: false, default: {}, description: 'PostgreSQL, the system of record.' },
  ),
  [
    ...externalRule('database'),
    {
      rule: "self.mode != 'inCluster' || self.version == oldSelf.version",
      message: 'version cannot change for an inCluster database (a major upgrade is a dump and restore)',
      fieldPath: '.version',
    },
    {
      rule: 'int(self.version) >= int(oldSelf.version)',
      message: 'version may not go backwards',
      fieldPath: '.version',
    },
  ],
);

/** `spec.redis` */
export const RedisSpec = withRules(
  Type.Object(
    {
      mode: Mode('Redis', 'port 6379 or 6380'),
      storage: Storage('Redis (append-only file)', '2Gi'),
      resources: Resources(
        'Redis (inCluster)',
        {
          requests: { cpu: '100m', memory: '256Mi' },
          limits: { cpu: '500m', memory: '256Mi' },
        },
        `The memory limit sizes the server: \`maxmemory\` is ${redisMaxmemoryShare * 100}% of it, with \`maxmemory-policy noeviction\` ` +
          '(a full Redis refuses writes rather than dropping queued import jobs).',
      ),
      image: Type.Optional(Image),
      instanceSize: InstanceSize,
      externalSecretRef: Type.Optional(
        SecretRef(
          'Secret with the keys `host`, `port`, `password` and `scheme` (`redis` or `rediss`) of an external server (external mode only).',
        ),
      ),
      deletionPolicy: DeletionPolicy,
    },
    {
      additionalProperties: false,
      default: {},
      description:
        'Redis, for job queues and rate limits (maxmemory-policy noeviction, append-only file on).',
    },
  ),
  externalRule('redis'),
);
