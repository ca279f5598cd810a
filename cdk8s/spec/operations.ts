import { Type } from '@sinclair/typebox';
import { PatternString, SecretRef, StringEnum, StringMap, patterns, withRules } from './schema-helpers.js';

/** Where backups go. */
export const backupDestinationTypes = ['pvc', 's3', 'azureBlob'] as const;

const Prefix = Type.Optional(
  PatternString('^[A-Za-z0-9!_.*()/-]*$', 200, {
    description: 'Key prefix inside the bucket or container. Default: `<namespace>/<instance>/`.',
  }),
);

/** A storage service's URL: scheme, host and an optional port, nothing else. */
const Endpoint = (description: string) =>
  Type.Optional(
    PatternString('^https?://[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?/?$', 253, { description }),
  );

/** `spec.backup.destination` */
export const BackupDestinationSpec = withRules(
  Type.Object(
    {
      type: StringEnum(backupDestinationTypes, {
        description:
          '`pvc`: a PersistentVolumeClaim in this namespace. `s3`: an S3 bucket. `azureBlob`: an Azure Blob Storage container.',
        default: 'pvc',
      }),
      pvc: Type.Object(
        {
          size: PatternString(patterns.bytes, 32, {
            description: 'Capacity of the backup volume.',
            default: '20Gi',
          }),
          className: Type.Optional(
            PatternString(patterns.dnsSubdomain, 253, {
              description: 'StorageClass of the backup volume. Default: the platform profile.',
            }),
          ),
        },
        { additionalProperties: false, default: {}, description: 'The backup volume (type pvc).' },
      ),
      s3: Type.Optional(
        Type.Object(
          {
            bucket: PatternString('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', 63, { description: 'Bucket name.' }),
            region: Type.Optional(
              PatternString('^[a-z0-9-]+$', 32, {
                description: 'AWS region of the bucket, e.g. `us-east-1`.',
              }),
            ),
            prefix: Prefix,
            endpoint: Endpoint(
              'URL of an S3-compatible server (MinIO, Ceph RGW, …) instead of AWS, e.g. `http://minio.storage.svc:9000`; backup Pods may reach its port.',
            ),
            forcePathStyle: Type.Boolean({
              description:
                'Address buckets by path (`<endpoint>/<bucket>`), as most S3-compatible servers need.',
              default: false,
            }),
          },
          { additionalProperties: false, description: 'The S3 bucket (type s3).' },
        ),
      ),
      azureBlob: Type.Optional(
        Type.Object(
          {
            storageAccount: PatternString('^[a-z0-9]{3,24}$', 24, { description: 'Storage account name.' }),
            container: PatternString('^[a-z0-9]([a-z0-9-]{1,61}[a-z0-9])$', 63, {
              description: 'Blob container name.',
            }),
            prefix: Prefix,
            endpoint: Endpoint(
              'Blob service URL instead of `https://<storageAccount>.blob.core.windows.net` (Azurite, sovereign clouds); backup Pods may reach its port.',
            ),
          },
          { additionalProperties: false, description: 'The Blob Storage container (type azureBlob).' },
        ),
      ),
      credentialsSecretRef: Type.Optional(
        SecretRef(
          'Secret whose keys become environment variables of the backup container: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` for s3, ' +
            '`AZURE_STORAGE_KEY` or `AZURE_STORAGE_SAS_TOKEN` for azureBlob. Exactly one of this and `useWorkloadIdentity` for s3 and azureBlob.',
        ),
      ),
      useWorkloadIdentity: Type.Boolean({
        description:
          'Authenticate with the cloud identity of the backup ServiceAccount instead of a Secret: IRSA (`spec.aws.iamRoleArn`) on eks for s3, ' +
          'Azure Workload Identity (`spec.azure.workloadIdentityClientId`) on aks for azureBlob.',
        default: false,
      }),
    },
    { additionalProperties: false, default: {}, description: 'Where backups are written.' },
  ),
  [
    {
      rule: "self.type != 's3' || has(self.s3)",
      message: 's3 is required when type is s3',
      fieldPath: '.s3',
      reason: 'FieldValueRequired',
      holds: (self) => self.type !== 's3' || self.s3 !== undefined,
    },
    {
      rule: "self.type != 'azureBlob' || has(self.azureBlob)",
      message: 'azureBlob is required when type is azureBlob',
      fieldPath: '.azureBlob',
      reason: 'FieldValueRequired',
      holds: (self) => self.type !== 'azureBlob' || self.azureBlob !== undefined,
    },
    {
      rule: "self.type == 'pvc' || has(self.credentialsSecretRef) != self.useWorkloadIdentity",
      message: 'set exactly one of credentialsSecretRef and useWorkloadIdentity for s3 and azureBlob',
      fieldPath: '.credentialsSecretRef',
      reason: 'FieldValueRequired',
      holds: (self) =>
        self.type === 'pvc' || (self.credentialsSecretRef !== undefined) !== self.useWorkloadIdentity,
    },
    {
      rule: "self.type != 'pvc' || (!has(self.credentialsSecretRef) && !self.useWorkloadIdentity)",
      message: 'a pvc destination takes neither credentialsSecretRef nor useWorkloadIdentity',
      fieldPath: '.type',
      reason: 'FieldValueForbidden',
      holds: (self) =>
        self.type !== 'pvc' || (self.credentialsSecretRef === undefined && !self.useWorkloadIdentity),
    },
  ],
);

/** `spec.backup` */
export const BackupSpec = Type.Object(
  {
    enabled: Type.Boolean({ description: 'Run scheduled backups.', default: true }),
    schedule: PatternString(patterns.cron, 100, {
      description: 'Five-field cron schedule of the backup CronJob, read in `timeZone`.',
      default: '0 2 * * *',
    }),
    timeZone: PatternString('^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$', 64, {
      description: 'IANA time zone of `schedule`, e.g. `America/Chicago`.',
      default: 'Etc/UTC',
    }),
    retentionDays: Type.Integer({
      description: 'Backups older than this many days are deleted after each successful backup.',
      minimum: 1,
      maximum: 3650,
      default: 14,
    }),
    destination: BackupDestinationSpec,
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Scheduled `pg_dump` backups (custom format) by `rosterhub backup`.',
  },
);

/** `spec.monitoring` */
export const MonitoringSpec = Type.Object(
  {
    serviceMonitor: Type.Object(
      {
        enabled: Type.Boolean({
          description:
            'Create a ServiceMonitor (monitoring.coreos.com/v1); needs the Prometheus Operator CRDs.',
          default: true,
        }),
        labels: StringMap(
          'Extra labels on the ServiceMonitor, so that Prometheus selects it (kube-prometheus-stack: `release: <name>`).',
          {},
        ),
        interval: PatternString(patterns.duration, 16, { description: 'Scrape interval.', default: '30s' }),
      },
      { additionalProperties: false, default: {}, description: 'Prometheus scraping of the API.' },
    ),
    dashboards: Type.Object(
      {
        enabled: Type.Boolean({
          description: 'Create a ConfigMap with a Grafana dashboard for this instance.',
          default: false,
        }),
        labels: StringMap('Labels the Grafana dashboard sidecar looks for.', { grafana_dashboard: '1' }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Grafana dashboards, picked up by the Grafana sidecar.',
      },
    ),
  },
  { additionalProperties: false, default: {}, description: 'Metrics and dashboards.' },
);

/** `spec.oneroster` */
export const OneRosterSpec = Type.Object(
  {
    maxPageSize: Type.Integer({
      description:
        'Largest `limit` a collection request gets; larger values are clamped to it (MAX_PAGE_SIZE).',
      minimum: 1,
      maximum: 100000,
      default: 10000,
    }),
    rateLimit: Type.Object(
      {
        requests: Type.Integer({
          description:
            'Requests each client (OAuth client or API key) may make per window before it gets 429; 0 turns rate limiting off (RATE_LIMIT_REQUESTS).',
          minimum: 0,
          maximum: 10000000,
          default: 6000,
        }),
        windowSeconds: Type.Integer({
          description: 'Length of the rate-limit window in seconds (RATE_LIMIT_WINDOW_SECONDS).',
          minimum: 1,
          maximum: 86400,
          default: 60,
        }),
      },
      { additionalProperties: false, default: {}, description: 'Per-client rate limit.' },
    ),
  },
  { additionalProperties: false, default: {}, description: 'OneRoster API behaviour.' },
);
