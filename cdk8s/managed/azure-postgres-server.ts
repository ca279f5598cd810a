import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { databaseName, databaseUser } from '../names.js';
import { toWholeGibibytes } from '../quantity.js';
import { managedMetadata } from './provisioner.js';

/** ASO API version of the PostgreSQL flexible server resources (Azure API 2024-08-01, GA). */
export const azurePostgresApiVersion = 'dbforpostgresql.azure.com/v1api20240801';

/** SKU and availability of one size. */
export interface AzurePostgresSku {
  readonly name: string;
  readonly tier: 'Burstable' | 'GeneralPurpose' | 'MemoryOptimized';
  readonly highAvailability: 'Disabled' | 'ZoneRedundant';
}

/** Props of {@link AzurePostgresServer}. */
export interface AzurePostgresServerProps {
  readonly context: InstanceContext;
  readonly sku: AzurePostgresSku;
  /** ASO reconcile policy: `detach-on-delete` keeps the Azure server when the resource goes. */
  readonly reconcilePolicy: 'manage' | 'detach-on-delete';
}

/** Storage sizes Azure Database for PostgreSQL flexible server accepts, in GiB. */
const allowedStorageGiB = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32767];

/**
 * Azure Database for PostgreSQL flexible server through Azure Service Operator v2: the server
 * (whose host ASO writes into the connection Secret), the `rosterhub` database, and — for a
 * public-access server — a firewall rule admitting Azure services only.
 */
export class AzurePostgresServer extends Construct {
  constructor(scope: Construct, id: string, props: AzurePostgresServerProps) {
    super(scope, id);
    const { context, sku, reconcilePolicy } = props;
    const { names, spec } = context;
    const azure = spec.azure ?? {};
    if (azure.location === undefined || azure.resourceGroup === undefined) {
      throw new Error('AzurePostgresServer: spec.azure.location and spec.azure.resourceGroup are required');
    }
    const wanted = toWholeGibibytes(spec.database.storage.size);
    const storageSizeGB = allowedStorageGiB.find((size) => size >= wanted) ?? allowedStorageGiB.at(-1);
    const annotations = { 'serviceoperator.azure.com/reconcile-policy': reconcilePolicy };
    const privateAccess = azure.postgresSubnetId !== undefined;

    new ApiObject(this, 'Server', {
      apiVersion: azurePostgresApiVersion,
      kind: 'FlexibleServer',
      metadata: managedMetadata(context, 'postgres', names.postgres, annotations),
      spec: {
        azureName: names.managedPostgresServer,
        owner: { name: azure.resourceGroup },
        location: azure.location,
        version: spec.database.version,
        sku: { name: sku.name, tier: sku.tier },
        storage: { storageSizeGB, autoGrow: 'Enabled' },
        administratorLogin: databaseUser,
        administratorLoginPassword: { name: names.postgresCredentials, key: 'password' },
        backup: { backupRetentionDays: 7, geoRedundantBackup: 'Disabled' },
        highAvailability: { mode: sku.highAvailability },
        ...(privateAccess
          ? {
              network: {
                publicNetworkAccess: 'Disabled',
                delegatedSubnetResourceReference: { armId: azure.postgresSubnetId },
                ...(azure.postgresPrivateDnsZoneId === undefined
                  ? {}
                  : { privateDnsZoneArmResourceReference: { armId: azure.postgresPrivateDnsZoneId } }),
              },
            }
          : {}),
        operatorSpec: {
          secrets: { fullyQualifiedDomainName: { name: names.postgresConnection, key: 'host' } },
        },
      },
    });

    new ApiObject(this, 'Database', {
      apiVersion: azurePostgresApiVersion,
      kind: 'FlexibleServersDatabase',
      metadata: managedMetadata(context, 'postgres', names.postgresDatabase, annotations),
      spec: {
        owner: { name: names.postgres },
        azureName: databaseName,
        charset: 'UTF8',
        collation: 'en_US.utf8',
      },
    });

    if (!privateAccess) {
      // 0.0.0.0–0.0.0.0 is Azure's "allow Azure services" rule: AKS egress, not the internet.
      new ApiObject(this, 'FirewallRule', {
        apiVersion: azurePostgresApiVersion,
        kind: 'FlexibleServersFirewallRule',
        metadata: managedMetadata(context, 'postgres', names.postgresFirewallRule, annotations),
        spec: { owner: { name: names.postgres }, startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' },
      });
    }
  }
}
