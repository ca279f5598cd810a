import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { instanceLabels, ports, shortHash } from '../names.js';
import { parseQuantity } from '../quantity.js';
import type { RosterHubInstanceSpec } from '../spec.js';
import { redisMaxmemoryShare } from '../spec/data-services.js';

/**
 * The response cache's share of an in-cluster Redis (a quarter of its maxmemory): the rest stays
 * for the import queue and tokens. Managed and external servers keep the API's default.
 */
function responseCacheBudget(spec: RosterHubInstanceSpec): Record<string, string> {
  if (spec.redis.mode !== 'inCluster') return {};
  const maxmemory = parseQuantity(spec.redis.resources.limits.memory) * redisMaxmemoryShare;
  return { RESPONSE_CACHE_REDIS_BYTES: String(Math.floor(maxmemory / 4)) };
}

/** Props of {@link AppConfig}. */
export interface AppConfigProps {
  readonly context: InstanceContext;
  /** DATABASE_POOL_MAX of the API (connection-budget.ts). */
  readonly databasePoolMax: number;
}

/**
 * The app's non-secret settings as environment variables (read whole with envFrom), named as
 * the API's settings schema names them. Migrations run in their own Job, so
 * `MIGRATE_ON_START` is off and `/readyz` waits for them. Links in answers use the Ingress's
 * host, or without one the API Service's cluster DNS name (`PUBLIC_BASE_URL`), never a Pod's
 * address or a caller's `Host`.
 */
export class AppConfig extends Construct {
  /** Name of the ConfigMap. */
  readonly name: string;
  /** Hash of the data: pod templates carry it so that a settings change rolls the Pods. */
  readonly hash: string;

  constructor(scope: Construct, id: string, props: AppConfigProps) {
    super(scope, id);
    const { context } = props;
    const { spec } = context;
    const ingress = spec.api.ingress;
    const data: Record<string, string> = {
      HOST: '::',
      PORT: String(ports.api.number),
      HEALTH_PORT: String(ports.apiHealth.number),
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
      MIGRATE_ON_START: 'false',
      DATABASE_POOL_MAX: String(props.databasePoolMax),
      HEALTH_CHECK_TIMEOUT_MS: '1000',
      SHUTDOWN_DRAIN_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '25000',
      MAX_PAGE_SIZE: String(spec.oneroster.maxPageSize),
      RATE_LIMIT_REQUESTS: String(spec.oneroster.rateLimit.requests),
      RATE_LIMIT_WINDOW_SECONDS: String(spec.oneroster.rateLimit.windowSeconds),
      ...responseCacheBudget(spec),
      PUBLIC_BASE_URL: ingress
        ? `${ingress.tls ? 'https' : 'http'}://${ingress.host}`
        : `http://${context.names.api}.${context.namespace}.svc`,
    };
    this.name = context.names.appConfig;
    this.hash = shortHash(JSON.stringify(data), 16);
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: this.name, labels: instanceLabels(context.name) },
      data,
    });
  }
}
