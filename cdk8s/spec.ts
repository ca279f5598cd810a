/**
 * The single source of truth for `RosterHubInstance`: one TypeBox schema with a description,
 * default and bounds per field. The TypeScript types, the CRD `openAPIV3Schema`
 * (`crd-schema.ts`), `docs/crd-reference.md` and the validation that `synthesize` and
 * `rosterhub render` run all come from here.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AwsSpec, AzureSpec } from './spec/cloud.js';
import { DatabaseSpec, RedisSpec } from './spec/data-services.js';
import { BackupSpec, MonitoringSpec, OneRosterSpec } from './spec/operations.js';
import { PatternString, StringEnum, patterns, withRules } from './spec/schema-helpers.js';
import { ApiSpec, ImageSpec, SchedulingSpec, WorkerSpec } from './spec/workloads.js';

/** API group, version and kind of the custom resource. */
export const rosterHubInstanceApi = {
  group: 'rosterhub.io',
  version: 'v1alpha1',
  kind: 'RosterHubInstance',
  plural: 'rosterhubinstances',
  singular: 'rosterhubinstance',
  shortNames: ['rhi'],
} as const;

/** `apiVersion` of a RosterHubInstance document. */
export const rosterHubInstanceApiVersion = `${rosterHubInstanceApi.group}/${rosterHubInstanceApi.version}`;

/** Platforms a district can run on; each has a profile in `platforms.ts`. */
export const platforms = ['kind', 'aks', 'eks'] as const;

/** Longest instance name: derived names (`<name>-migrate-<version>-<hash>`) must stay within 63. */
export const maxInstanceNameLength = 30;

const managedOn = (platform: string, service: 'database' | 'redis') =>
  `self.platform == '${platform}' && self.${service}.mode == 'managed'`;

/** The `spec` of a RosterHubInstance. */
export const RosterHubInstanceSpecSchema = withRules(
  Type.Object(
    {
      // "No downgrades" is a rule on the whole object in the CRD (operator/crd.ts): it compares
      // with status.currentVersion, so a failed upgrade can still be set back.
      version: PatternString(patterns.semver, 64, {
        description:
          'RosterHub release to run (Semantic Versioning, e.g. `1.4.2`). It is the image tag, and each new version runs its migration Job before the Deployments roll. May not go below `status.currentVersion` (the version serving); setting it back after a failed migration is allowed.',
      }),
      platform: StringEnum(platforms, {
        description:
          'Kubernetes platform; its profile picks storage classes, ingress class and annotations, workload identity and managed services. Moving a district is a change of this field only.',
        default: 'kind',
      }),
      suspend: Type.Boolean({
        description:
          'Stop reconciling this instance: the operator leaves every object as it is and reports `Paused=True` until this is false again (as the annotation `rosterhub.io/reconcile: paused` does).',
        default: false,
      }),
      image: ImageSpec,
      scheduling: SchedulingSpec,
      api: ApiSpec,
      worker: WorkerSpec,
      database: DatabaseSpec,
      redis: RedisSpec,
      backup: BackupSpec,
      monitoring: MonitoringSpec,
      oneroster: OneRosterSpec,
      azure: Type.Optional(AzureSpec),
      aws: Type.Optional(AwsSpec),
    },
    { additionalProperties: false, description: 'Desired state of one district.' },
  ),
  [
    {
      rule: "self.platform != 'kind' || (self.database.mode != 'managed' && self.redis.mode != 'managed')",
      message: 'managed data services need a cloud platform (aks or eks); use inCluster or external on kind',
      fieldPath: '.platform',
      reason: 'FieldValueForbidden',
      holds: (self) =>
        self.platform !== 'kind' || (self.database.mode !== 'managed' && self.redis.mode !== 'managed'),
    },
    {
      rule: `!(${managedOn('aks', 'database')} || ${managedOn('aks', 'redis')}) || (has(self.azure) && has(self.azure.location) && has(self.azure.resourceGroup))`,
      message:
        'spec.azure.location and spec.azure.resourceGroup are required for managed data services on aks',
      fieldPath: '.azure',
      reason: 'FieldValueRequired',
      holds: (self) =>
        !(self.platform === 'aks' && (self.database.mode === 'managed' || self.redis.mode === 'managed')) ||
        (self.azure?.location !== undefined && self.azure.resourceGroup !== undefined),
    },
    {
      rule: `!(${managedOn('eks', 'database')}) || (has(self.aws) && has(self.aws.dbSubnetGroupName))`,
      message: 'spec.aws.dbSubnetGroupName is required for a managed database on eks',
      fieldPath: '.aws',
      reason: 'FieldValueRequired',
      holds: (self) =>
        !(self.platform === 'eks' && self.database.mode === 'managed') ||
        self.aws?.dbSubnetGroupName !== undefined,
    },
    {
      rule: `!(${managedOn('eks', 'redis')}) || (has(self.aws) && has(self.aws.cacheSubnetGroupName))`,
      message: 'spec.aws.cacheSubnetGroupName is required for a managed Redis on eks',
      fieldPath: '.aws',
      reason: 'FieldValueRequired',
      holds: (self) =>
        !(self.platform === 'eks' && self.redis.mode === 'managed') ||
        self.aws?.cacheSubnetGroupName !== undefined,
    },
    {
      rule:
        "!self.backup.destination.useWorkloadIdentity || (self.backup.destination.type == 's3' ? " +
        "(self.platform == 'eks' && has(self.aws) && has(self.aws.iamRoleArn)) : " +
        "(self.backup.destination.type == 'azureBlob' && self.platform == 'aks' && has(self.azure) && has(self.azure.workloadIdentityClientId)))",
      message:
        'useWorkloadIdentity needs platform eks with spec.aws.iamRoleArn (s3) or platform aks with spec.azure.workloadIdentityClientId (azureBlob)',
      fieldPath: '.backup.destination.useWorkloadIdentity',
      reason: 'FieldValueInvalid',
      holds: (self) => {
        const destination = self.backup.destination;
        if (!destination.useWorkloadIdentity) return true;
        if (destination.type === 's3') return self.platform === 'eks' && self.aws?.iamRoleArn !== undefined;
        return (
          destination.type === 'azureBlob' &&
          self.platform === 'aks' &&
          self.azure?.workloadIdentityClientId !== undefined
        );
      },
    },
  ],
);

/** Metadata the synthesis reads; everything else in `metadata` is ignored. */
export const InstanceMetadataSchema = Type.Object(
  {
    name: PatternString(patterns.dns1035Label, maxInstanceNameLength, {
      description: `Instance name: a DNS-1035 label of at most ${maxInstanceNameLength} characters.`,
    }),
    namespace: Type.Optional(
      PatternString(patterns.dnsLabel, 63, { description: 'Namespace of the instance. Default: `default`.' }),
    ),
  },
  { additionalProperties: true },
);

/** A whole RosterHubInstance document, as `kubectl` or the operator's informer sees it. */
export const RosterHubInstanceSchema = Type.Object(
  {
    apiVersion: Type.Literal(rosterHubInstanceApiVersion),
    kind: Type.Literal(rosterHubInstanceApi.kind),
    metadata: InstanceMetadataSchema,
    spec: RosterHubInstanceSpecSchema,
  },
  { additionalProperties: true },
);

/** The spec with every default applied (what the API server stores and `synthesize` reads). */
export type RosterHubInstanceSpec = Static<typeof RosterHubInstanceSpecSchema>;

/** A RosterHubInstance with its defaults applied. */
export type RosterHubInstance = Static<typeof RosterHubInstanceSchema>;

/** `spec.platform` */
export type Platform = RosterHubInstanceSpec['platform'];
