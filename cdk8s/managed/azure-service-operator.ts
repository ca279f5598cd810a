import type { Construct } from 'constructs';
import {
  fromSecret,
  literal,
  type DataServiceClaim,
  type PostgresConnection,
  type RedisConnection,
} from '../claims/claim.js';
import type { InstanceContext } from '../context.js';
import { ports } from '../names.js';
import { egressToAnywhere } from '../network.js';
import type { InstanceSize } from '../spec/data-services.js';
import { AzurePostgresServer, type AzurePostgresSku } from './azure-postgres-server.js';
import { AzureRedisCache, type AzureRedisSku } from './azure-redis-cache.js';
import { managedPostgresClaim, type ManagedServiceProvisioner } from './provisioner.js';

/**
 * Connections RosterHub may open per size: Azure's max_connections per SKU (B1ms 50, D2ds_v5
 * 859, D4ds_v5 1718) minus the 15 Azure reserves for itself.
 */
export const azurePostgresUserConnections: Readonly<Record<InstanceSize, number>> = {
  small: 35,
  medium: 844,
  large: 1703,
};

/** `spec.*.instanceSize` → Azure Database for PostgreSQL flexible server SKU. */
export const azurePostgresSkus: Readonly<Record<InstanceSize, AzurePostgresSku>> = {
  small: { name: 'Standard_B1ms', tier: 'Burstable', highAvailability: 'Disabled' },
  medium: { name: 'Standard_D2ds_v5', tier: 'GeneralPurpose', highAvailability: 'Disabled' },
  large: { name: 'Standard_D4ds_v5', tier: 'GeneralPurpose', highAvailability: 'ZoneRedundant' },
};

/** `spec.redis.instanceSize` → Azure Cache for Redis SKU (Standard has a replica and an SLA). */
export const azureRedisSkus: Readonly<Record<InstanceSize, AzureRedisSku>> = {
  small: { name: 'Standard', family: 'C', capacity: 0 },
  medium: { name: 'Standard', family: 'C', capacity: 1 },
  large: { name: 'Premium', family: 'P', capacity: 1 },
};

const reconcilePolicy = (deletionPolicy: 'Retain' | 'Delete') =>
  deletionPolicy === 'Retain' ? 'detach-on-delete' : 'manage';

/** Managed services on AKS through Azure Service Operator v2 (azure.github.io/azure-service-operator). */
export class AzureServiceOperatorProvisioner implements ManagedServiceProvisioner {
  readonly id = 'azure-service-operator-v2';

  postgresUserConnections(size: InstanceSize): number {
    return azurePostgresUserConnections[size];
  }

  postgres(scope: Construct, context: InstanceContext): DataServiceClaim<PostgresConnection> {
    const { spec } = context;
    new AzurePostgresServer(scope, 'AzurePostgres', {
      context,
      sku: azurePostgresSkus[spec.database.instanceSize],
      reconcilePolicy: reconcilePolicy(spec.database.deletionPolicy),
    });
    return managedPostgresClaim(context, {
      passwordPurpose: 'administrator password ASO sets on the flexible server',
      hostPurpose: 'server host name, written by ASO',
    });
  }

  redis(scope: Construct, context: InstanceContext): DataServiceClaim<RedisConnection> {
    const { names, spec } = context;
    new AzureRedisCache(scope, 'AzureRedis', {
      context,
      sku: azureRedisSkus[spec.redis.instanceSize],
      reconcilePolicy: reconcilePolicy(spec.redis.deletionPolicy),
    });
    return {
      connection: {
        scheme: literal('rediss'),
        host: fromSecret(names.redisConnection, 'host'),
        port: fromSecret(names.redisConnection, 'port'),
        password: fromSecret(names.redisConnection, 'password'),
      },
      egress: egressToAnywhere([ports.redisTls.number]),
      secrets: [
        {
          name: names.redisConnection,
          component: 'redis',
          keys: ['host', 'port', 'password'],
          origin: 'provisioner',
          purpose: 'cache host, TLS port and access key, written by ASO',
        },
      ],
    };
  }
}
