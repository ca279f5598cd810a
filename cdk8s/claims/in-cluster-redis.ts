import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { ports } from '../names.js';
import { resourceRequirements, restrictedContainerSecurityContext, scratchVolume } from '../pod-security.js';
import { parseQuantity } from '../quantity.js';
import { redisMaxmemoryShare } from '../spec/data-services.js';
import { SingleServerStatefulSet } from './single-server-stateful-set.js';
import { fromSecret, literal, type DataServiceClaim, type RedisConnection } from './claim.js';

/** UID of the `redis` user in the official Debian-based image. */
const redisUser = 999;

/** Props of {@link InClusterRedis}. */
export interface InClusterRedisProps {
  readonly context: InstanceContext;
}

/**
 * Redis in the cluster: a one-replica StatefulSet with an append-only file on a
 * PersistentVolumeClaim, `maxmemory-policy noeviction` (BullMQ loses jobs otherwise), a
 * `maxmemory` below the container limit, and a password from the generated credentials Secret.
 */
export class InClusterRedis extends Construct {
  /** How the app reaches this server. */
  readonly claim: DataServiceClaim<RedisConnection>;

  constructor(scope: Construct, id: string, props: InClusterRedisProps) {
    super(scope, id);
    const { context } = props;
    const { names, spec } = context;
    const redis = spec.redis;
    const password = { secretKeyRef: { name: names.redisCredentials, key: 'password' } };
    const maxmemory = Math.floor(parseQuantity(redis.resources.limits.memory) * redisMaxmemoryShare);

    const server = new SingleServerStatefulSet(this, 'Server', {
      context,
      component: 'redis',
      name: names.redis,
      port: ports.redis,
      runAsUser: redisUser,
      terminationGracePeriodSeconds: 30,
      container: {
        name: 'redis',
        image: redis.image ?? 'docker.io/library/redis:7.4-bookworm',
        imagePullPolicy: 'IfNotPresent',
        command: ['redis-server'],
        args: [
          '--port',
          String(ports.redis.number),
          '--dir',
          '/data',
          '--appendonly',
          'yes',
          '--maxmemory',
          String(maxmemory),
          '--maxmemory-policy',
          'noeviction',
          '--requirepass',
          '$(REDIS_PASSWORD)',
        ],
        env: [
          { name: 'REDIS_PASSWORD', valueFrom: password },
          // Lets `redis-cli ping` in the probe authenticate without the password on its command line.
          { name: 'REDISCLI_AUTH', valueFrom: password },
        ],
        ports: [{ name: ports.redis.name, containerPort: ports.redis.number }],
        readinessProbe: {
          exec: { command: ['redis-cli', 'ping'] },
          periodSeconds: 10,
          failureThreshold: 3,
          timeoutSeconds: 3,
        },
        livenessProbe: {
          tcpSocket: { port: k8s.IntOrString.fromString(ports.redis.name) },
          periodSeconds: 10,
          failureThreshold: 6,
        },
        resources: resourceRequirements(redis.resources),
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'tmp', mountPath: '/tmp' },
        ],
      },
      volumes: [scratchVolume('tmp')],
      storage: redis.storage,
      deletionPolicy: redis.deletionPolicy,
    });

    this.claim = {
      connection: {
        scheme: literal('redis'),
        host: literal(names.redis),
        port: literal(ports.redis.number),
        password: fromSecret(names.redisCredentials, 'password'),
      },
      egress: server.clientEgress,
      secrets: [
        {
          name: names.redisCredentials,
          component: 'redis',
          keys: ['password'],
          origin: 'generate',
          purpose: 'password of the in-cluster Redis',
        },
      ],
    };
  }
}
