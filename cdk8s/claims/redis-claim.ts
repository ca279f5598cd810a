import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { ports } from '../names.js';
import { egressToAnywhere } from '../network.js';
import { externalClaim, type DataServiceClaim, type RedisConnection } from './claim.js';
import { InClusterRedis } from './in-cluster-redis.js';

/** Props of {@link RedisClaim}. */
export interface RedisClaimProps {
  readonly context: InstanceContext;
}

/**
 * Redis for one instance, whatever `spec.redis.mode` says; each mode ends in the same
 * {@link RedisConnection}.
 */
export class RedisClaim extends Construct {
  /** Connection settings, egress rules and the Secrets they read. */
  readonly claim: DataServiceClaim<RedisConnection>;

  constructor(scope: Construct, id: string, props: RedisClaimProps) {
    super(scope, id);
    const { context } = props;
    const redis = context.spec.redis;
    switch (redis.mode) {
      case 'inCluster':
        this.claim = new InClusterRedis(this, 'InCluster', { context }).claim;
        break;
      case 'managed': {
        const provisioner = context.profile.managedServices;
        if (!provisioner) {
          throw new Error(
            `RedisClaim: spec.redis.mode managed is not available on platform ${context.profile.platform}`,
          );
        }
        this.claim = provisioner.redis(this, context);
        break;
      }
      case 'external': {
        const secret = redis.externalSecretRef?.name;
        if (secret === undefined)
          throw new Error('RedisClaim: spec.redis.externalSecretRef is required in external mode');
        this.claim = externalClaim(
          'redis',
          secret,
          ['scheme', 'host', 'port', 'password'],
          egressToAnywhere(
            context.externalPorts.redis === undefined
              ? [ports.redis.number, ports.redisTls.number]
              : [context.externalPorts.redis],
          ),
          'connection to the external Redis server',
        );
        break;
      }
    }
  }
}
