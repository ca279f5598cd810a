import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { managedMetadata } from './provisioner.js';

/** ASO API version of Azure Cache for Redis (Azure API 2023-08-01). */
export const azureRedisApiVersion = 'cache.azure.com/v1api20230801';

/** SKU of one size. */
export interface AzureRedisSku {
  readonly name: 'Basic' | 'Standard' | 'Premium';
  readonly family: 'C' | 'P';
  readonly capacity: number;
}

/** Props of {@link AzureRedisCache}. */
export interface AzureRedisCacheProps {
  readonly context: InstanceContext;
  readonly sku: AzureRedisSku;
  readonly reconcilePolicy: 'manage' | 'detach-on-delete';
}

/**
 * Azure Cache for Redis through Azure Service Operator v2, TLS only, `noeviction`. ASO writes
 * host, TLS port and primary key into the connection Secret; no password is generated here.
 */
export class AzureRedisCache extends Construct {
  constructor(scope: Construct, id: string, props: AzureRedisCacheProps) {
    super(scope, id);
    const { context, sku, reconcilePolicy } = props;
    const { names, spec } = context;
    const azure = spec.azure ?? {};
    if (azure.location === undefined || azure.resourceGroup === undefined) {
      throw new Error('AzureRedisCache: spec.azure.location and spec.azure.resourceGroup are required');
    }
    const connection = names.redisConnection;
    new ApiObject(this, 'Resource', {
      apiVersion: azureRedisApiVersion,
      kind: 'Redis',
      metadata: managedMetadata(context, 'redis', names.redis, {
        'serviceoperator.azure.com/reconcile-policy': reconcilePolicy,
      }),
      spec: {
        azureName: names.managedRedis,
        owner: { name: azure.resourceGroup },
        location: azure.location,
        sku,
        redisVersion: '6',
        enableNonSslPort: false,
        minimumTlsVersion: '1.2',
        redisConfiguration: { 'maxmemory-policy': 'noeviction' },
        operatorSpec: {
          secrets: {
            hostName: { name: connection, key: 'host' },
            sslPort: { name: connection, key: 'port' },
            primaryKey: { name: connection, key: 'password' },
          },
        },
      },
    });
  }
}
