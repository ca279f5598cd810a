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
import { ElastiCacheRedis, type ElastiCacheNodes } from './elasticache-redis.js';
import { managedPostgresClaim, type ManagedServiceProvisioner } from './provisioner.js';
import { RdsPostgresInstance, type RdsPostgresClass } from './rds-postgres-instance.js';

/**
 * Connections RosterHub may open per size: RDS's max_connections, LEAST(DBInstanceClassMemory /
 * 9531392, 5000), for the memory left to PostgreSQL on each class (about 90% of 2, 8 and 16 GiB),
 * minus the 3 superuser and 2 rds_superuser reserved connections.
 */
export const rdsPostgresUserConnections: Readonly<Record<InstanceSize, number>> = {
  small: 197,
  medium: 806,
  large: 1617,
};

/** `spec.database.instanceSize` → RDS instance class (Graviton). */
export const rdsPostgresClasses: Readonly<Record<InstanceSize, RdsPostgresClass>> = {
  small: { instanceClass: 'db.t4g.small', multiAZ: false },
  medium: { instanceClass: 'db.m7g.large', multiAZ: false },
  large: { instanceClass: 'db.m7g.xlarge', multiAZ: true },
};

/** `spec.redis.instanceSize` → ElastiCache node type and replicas. */
export const elastiCacheNodes: Readonly<Record<InstanceSize, ElastiCacheNodes>> = {
  small: { nodeType: 'cache.t4g.micro', replicas: 0 },
  medium: { nodeType: 'cache.t4g.medium', replicas: 1 },
  large: { nodeType: 'cache.m7g.large', replicas: 1 },
};

function ackAnnotations(
  context: InstanceContext,
  deletionPolicy: 'Retain' | 'Delete',
): Record<string, string> {
  const region = context.spec.aws?.region;
  return {
    'services.k8s.aws/deletion-policy': deletionPolicy === 'Retain' ? 'retain' : 'delete',
    ...(region === undefined ? {} : { 'services.k8s.aws/region': region }),
  };
}

/** Managed services on EKS through AWS Controllers for Kubernetes (aws-controllers-k8s.github.io). */
export class AwsControllersProvisioner implements ManagedServiceProvisioner {
  readonly id = 'aws-controllers-for-kubernetes';

  postgresUserConnections(size: InstanceSize): number {
    return rdsPostgresUserConnections[size];
  }

  postgres(scope: Construct, context: InstanceContext): DataServiceClaim<PostgresConnection> {
    const { spec } = context;
    new RdsPostgresInstance(scope, 'RdsPostgres', {
      context,
      size: rdsPostgresClasses[spec.database.instanceSize],
      annotations: ackAnnotations(context, spec.database.deletionPolicy),
    });
    return managedPostgresClaim(context, {
      passwordPurpose: 'master password ACK sets on the RDS instance',
      hostPurpose: 'RDS endpoint, written by the FieldExport',
    });
  }

  redis(scope: Construct, context: InstanceContext): DataServiceClaim<RedisConnection> {
    const { names, spec } = context;
    new ElastiCacheRedis(scope, 'ElastiCache', {
      context,
      nodes: elastiCacheNodes[spec.redis.instanceSize],
      annotations: ackAnnotations(context, spec.redis.deletionPolicy),
    });
    return {
      connection: {
        scheme: literal('rediss'),
        host: fromSecret(names.redisConnection, 'host'),
        port: literal(ports.redis.number),
        password: fromSecret(names.redisCredentials, 'password'),
      },
      egress: egressToAnywhere([ports.redis.number]),
      secrets: [
        {
          name: names.redisCredentials,
          component: 'redis',
          keys: ['password'],
          origin: 'generate',
          purpose: 'AUTH token ACK sets on the replication group',
        },
        {
          name: names.redisConnection,
          component: 'redis',
          keys: ['host'],
          origin: 'provisioner',
          purpose: 'primary endpoint, written by the FieldExport',
        },
      ],
    };
  }
}
