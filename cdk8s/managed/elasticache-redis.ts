import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { ports } from '../names.js';
import { ConnectionSecretExport } from './field-export.js';
import { managedMetadata } from './provisioner.js';

const elastiCacheApiVersion = 'elasticache.services.k8s.aws/v1alpha1';

/** Node type and replicas of one size. */
export interface ElastiCacheNodes {
  readonly nodeType: string;
  readonly replicas: number;
}

/** Props of {@link ElastiCacheRedis}. */
export interface ElastiCacheRedisProps {
  readonly context: InstanceContext;
  readonly nodes: ElastiCacheNodes;
  readonly annotations: Record<string, string>;
}

/**
 * Amazon ElastiCache for Redis through the ACK ElastiCache controller: one shard, TLS and
 * AUTH token, encrypted at rest, a parameter group with `maxmemory-policy noeviction` (BullMQ
 * needs it), and a FieldExport of the primary endpoint into the connection Secret.
 */
export class ElastiCacheRedis extends Construct {
  constructor(scope: Construct, id: string, props: ElastiCacheRedisProps) {
    super(scope, id);
    const { context, nodes, annotations } = props;
    const { names, spec } = context;
    const aws = spec.aws;
    if (aws?.cacheSubnetGroupName === undefined) {
      throw new Error('ElastiCacheRedis: spec.aws.cacheSubnetGroupName is required');
    }
    new ApiObject(this, 'ParameterGroup', {
      apiVersion: elastiCacheApiVersion,
      kind: 'CacheParameterGroup',
      metadata: managedMetadata(context, 'redis', names.redisParameterGroup, annotations),
      spec: {
        cacheParameterGroupName: names.redisParameterGroup,
        cacheParameterGroupFamily: 'redis7',
        description: `RosterHub ${context.namespace}/${context.name}: noeviction`,
        parameterNameValues: [{ parameterName: 'maxmemory-policy', parameterValue: 'noeviction' }],
      },
    });
    new ApiObject(this, 'Resource', {
      apiVersion: elastiCacheApiVersion,
      kind: 'ReplicationGroup',
      metadata: managedMetadata(context, 'redis', names.redis, annotations),
      spec: {
        replicationGroupID: names.managedRedis,
        description: `RosterHub ${context.namespace}/${context.name}`,
        engine: 'redis',
        engineVersion: '7.1',
        cacheNodeType: nodes.nodeType,
        numNodeGroups: 1,
        replicasPerNodeGroup: nodes.replicas,
        automaticFailoverEnabled: nodes.replicas > 0,
        multiAZEnabled: nodes.replicas > 0,
        transitEncryptionEnabled: true,
        atRestEncryptionEnabled: true,
        authToken: { namespace: context.namespace, name: names.redisCredentials, key: 'password' },
        port: ports.redis.number,
        cacheSubnetGroupName: aws.cacheSubnetGroupName,
        cacheParameterGroupName: names.redisParameterGroup,
        ...(aws.securityGroupIds.length > 0 ? { securityGroupIDs: aws.securityGroupIds } : {}),
        snapshotRetentionLimit: 1,
      },
    });
    new ConnectionSecretExport(this, 'HostExport', {
      context,
      component: 'redis',
      name: names.redisHostExport,
      secretName: names.redisConnection,
      key: 'host',
      from: {
        group: 'elasticache.services.k8s.aws',
        kind: 'ReplicationGroup',
        name: names.redis,
        path: '.status.nodeGroups[0].primaryEndpoint.address',
      },
    });
  }
}
