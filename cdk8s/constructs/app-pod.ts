import { k8s } from 'cdk8s-plus-27';
import type { PostgresConnection, RedisConnection } from '../claims/claim.js';
import { databaseEnv, redisEnv } from '../claims/connection-env.js';
import type { InstanceContext } from '../context.js';
import { componentLabels, type Component } from '../names.js';
import {
  resourceRequirements,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
  scratchVolume,
} from '../pod-security.js';
import type { RosterHubInstanceSpec } from '../spec.js';

/** Connection settings of both data services, as the claims resolved them. */
export interface AppConnections {
  readonly postgres: PostgresConnection;
  readonly redis: RedisConnection;
}

/** Options of {@link appPodTemplate}. */
export interface AppPodOptions {
  readonly context: InstanceContext;
  readonly component: Extract<Component, 'api' | 'worker' | 'migration' | 'backup'>;
  /** Container name; also what `kubectl logs -c` takes. */
  readonly containerName: string;
  /** `rosterhub <args>`: the image's entrypoint is the `rosterhub` command. */
  readonly args: readonly string[];
  readonly resources: RosterHubInstanceSpec['api']['resources'];
  readonly serviceAccountName: string;
  readonly connections: AppConnections;
  /** The app ConfigMap, read whole with envFrom. */
  readonly configMapName: string;
  /** Extra variables, after the connection ones. @default none */
  readonly env?: readonly k8s.EnvVar[];
  /** Extra envFrom sources, after the ConfigMap. @default none */
  readonly envFrom?: readonly k8s.EnvFromSource[];
  /** @default none */
  readonly ports?: readonly k8s.ContainerPort[];
  /** @default no probes */
  readonly probes?: Pick<k8s.Container, 'readinessProbe' | 'livenessProbe' | 'startupProbe'>;
  /** Volumes besides the `/tmp` scratch volume. @default none */
  readonly volumes?: readonly k8s.Volume[];
  readonly volumeMounts?: readonly k8s.VolumeMount[];
  /** @default 'Always' */
  readonly restartPolicy?: 'Always' | 'Never' | 'OnFailure';
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Labels besides the component labels (workload identity). @default none */
  readonly podLabels?: Record<string, string>;
  /** @default none */
  readonly podAnnotations?: Record<string, string>;
  /** @default none */
  readonly topologySpreadConstraints?: readonly k8s.TopologySpreadConstraint[];
}

/**
 * The pod template of every RosterHub process (API, worker, migration, backup): restricted
 * security, no service-account token, a scratch `/tmp`, connection variables from the claims,
 * settings from the ConfigMap, requests and limits from the spec.
 */
export function appPodTemplate(options: AppPodOptions): k8s.PodTemplateSpec {
  const { context } = options;
  const annotations = options.podAnnotations ?? {};
  const caBundle = postgresCaBundle(context);
  return {
    metadata: {
      labels: {
        ...componentLabels(context.name, options.component, context.spec.version),
        ...options.podLabels,
      },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      serviceAccountName: options.serviceAccountName,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      restartPolicy: options.restartPolicy ?? 'Always',
      terminationGracePeriodSeconds: options.terminationGracePeriodSeconds ?? 30,
      securityContext: restrictedPodSecurityContext(),
      ...imagePullSecrets(context),
      ...placement(context),
      ...(options.topologySpreadConstraints
        ? { topologySpreadConstraints: [...options.topologySpreadConstraints] }
        : {}),
      containers: [
        {
          name: options.containerName,
          image: context.image,
          imagePullPolicy: context.spec.image.pullPolicy,
          args: [...options.args],
          env: [
            ...databaseEnv(options.connections.postgres),
            ...redisEnv(options.connections.redis),
            ...caBundle.env,
            ...(options.env ?? []),
          ],
          envFrom: [{ configMapRef: { name: options.configMapName } }, ...(options.envFrom ?? [])],
          ...(options.ports ? { ports: [...options.ports] } : {}),
          ...options.probes,
          resources: resourceRequirements(options.resources),
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'tmp', mountPath: '/tmp' },
            ...caBundle.volumeMounts,
            ...(options.volumeMounts ?? []),
          ],
        },
      ],
      volumes: [scratchVolume('tmp'), ...caBundle.volumes, ...(options.volumes ?? [])],
    },
  };
}

/** Where the CA bundle of `spec.database.caBundleRef` is mounted in every app container. */
const POSTGRES_CA_DIR = '/etc/rosterhub/postgres-ca';

/**
 * `spec.database.caBundleRef` as a read-only volume and PGSSLROOTCERT naming its file: the app
 * adds it to the URL as `sslrootcert`, and pg_dump trusts it too.
 */
function postgresCaBundle(context: InstanceContext): {
  env: k8s.EnvVar[];
  volumes: k8s.Volume[];
  volumeMounts: k8s.VolumeMount[];
} {
  const ref = context.spec.database.caBundleRef;
  if (!ref) return { env: [], volumes: [], volumeMounts: [] };
  return {
    env: [{ name: 'PGSSLROOTCERT', value: `${POSTGRES_CA_DIR}/ca.crt` }],
    volumes: [
      { name: 'postgres-ca', configMap: { name: ref.name, items: [{ key: ref.key, path: 'ca.crt' }] } },
    ],
    volumeMounts: [{ name: 'postgres-ca', mountPath: POSTGRES_CA_DIR, readOnly: true }],
  };
}

/** `nodeSelector` and `tolerations` of every Pod of the instance (`spec.scheduling`), when set. */
export function placement(context: InstanceContext): Pick<k8s.PodSpec, 'nodeSelector' | 'tolerations'> {
  const { nodeSelector, tolerations } = context.spec.scheduling;
  return {
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector: { ...nodeSelector } } : {}),
    ...(tolerations.length > 0 ? { tolerations: tolerations.map((toleration) => ({ ...toleration })) } : {}),
  };
}

/** `imagePullSecrets` of every Pod of the instance, when the spec names any. */
export function imagePullSecrets(context: InstanceContext): Pick<k8s.PodSpec, 'imagePullSecrets'> {
  const secrets = context.spec.image.pullSecrets;
  return secrets.length > 0 ? { imagePullSecrets: secrets.map((name) => ({ name })) } : {};
}

/** An HTTP GET probe on `port`. */
export function httpProbe(
  path: string,
  port: number,
  timing: { periodSeconds: number; failureThreshold: number; timeoutSeconds?: number },
): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromNumber(port) },
    periodSeconds: timing.periodSeconds,
    failureThreshold: timing.failureThreshold,
    timeoutSeconds: timing.timeoutSeconds ?? 2,
  };
}
