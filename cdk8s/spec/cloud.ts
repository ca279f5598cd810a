import { Type } from '@sinclair/typebox';
import { PatternString, patterns } from './schema-helpers.js';

const uuid = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const armId = '^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/.+$';

/** `spec.azure`: account-specific settings used when `platform` is aks. */
export const AzureSpec = Type.Object(
  {
    location: Type.Optional(
      PatternString('^[a-z0-9]+$', 40, { description: 'Azure region of managed servers, e.g. `eastus2`.' }),
    ),
    resourceGroup: Type.Optional(
      PatternString(patterns.dnsSubdomain, 253, {
        description:
          'Name of the Azure Service Operator `ResourceGroup` resource (resources.azure.com) in this namespace that owns the managed servers.',
      }),
    ),
    workloadIdentityClientId: Type.Optional(
      PatternString(uuid, 36, {
        description:
          'Client ID of the user-assigned managed identity the backup ServiceAccount federates with (Azure Workload Identity).',
      }),
    ),
    postgresSubnetId: Type.Optional(
      PatternString(armId, 1024, {
        description:
          'ARM ID of a subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers (private access). Without it the server has public access.',
      }),
    ),
    postgresPrivateDnsZoneId: Type.Optional(
      PatternString(armId, 1024, {
        description: 'ARM ID of the private DNS zone for the server (with `postgresSubnetId`).',
      }),
    ),
  },
  { additionalProperties: false, description: 'Azure settings, read when `platform` is aks.' },
);

/** `spec.aws`: account-specific settings used when `platform` is eks. */
export const AwsSpec = Type.Object(
  {
    region: Type.Optional(
      PatternString('^[a-z0-9-]+$', 32, {
        description: 'AWS region of managed servers. Default: the region of the ACK controllers.',
      }),
    ),
    iamRoleArn: Type.Optional(
      PatternString('^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$', 2048, {
        description: 'IAM role the backup ServiceAccount assumes (IRSA).',
      }),
    ),
    dbSubnetGroupName: Type.Optional(
      PatternString('^[A-Za-z0-9 ._-]+$', 255, {
        description: 'RDS DB subnet group (in the cluster VPC) for a managed database.',
      }),
    ),
    cacheSubnetGroupName: Type.Optional(
      PatternString('^[A-Za-z0-9-]+$', 255, {
        description: 'ElastiCache subnet group (in the cluster VPC) for a managed Redis.',
      }),
    ),
    securityGroupIds: Type.Array(PatternString('^sg-[0-9a-f]+$', 32, { description: 'Security group ID.' }), {
      description: 'VPC security groups of the managed servers; they must admit the cluster nodes or Pods.',
      maxItems: 5,
      default: [],
    }),
  },
  { additionalProperties: false, description: 'AWS settings, read when `platform` is eks.' },
);
