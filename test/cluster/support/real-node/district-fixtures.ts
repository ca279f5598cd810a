// What tests and benchmarks put on the real node: the operator chart installed from the built
// operator image, and districts that run every Pod there from the built images.
import { handCrdToRelease, run } from '../kubectl.js';
import type { NodeImages } from './district-node.js';
import { REAL_NODE_PLACEMENT } from './node-config.js';

/** The real node's images, as the cluster project's global setup exports them. */
export function nodeImagesFromEnv(): NodeImages {
  const value = (name: keyof NodeImages): string => {
    const found = process.env[name];
    if (!found)
      throw new Error(
        `${name} is not set: the cluster project's global setup exports the real node's images`,
      );
    return found;
  };
  return {
    RH_IMAGE_REPOSITORY: value('RH_IMAGE_REPOSITORY'),
    RH_VERSION: value('RH_VERSION'),
    RH_OPERATOR_IMAGE: value('RH_OPERATOR_IMAGE'),
    RH_POSTGRES_IMAGE: value('RH_POSTGRES_IMAGE'),
    RH_REDIS_IMAGE: value('RH_REDIS_IMAGE'),
    RH_PAUSE_IMAGE: value('RH_PAUSE_IMAGE'),
    RH_S3_IMAGE: value('RH_S3_IMAGE'),
  };
}

/** The next minor version after `version` (an upgrade target: the same image under another tag). */
export const nextMinorVersion = (version: string): string =>
  version.replace(
    /^(\d+)\.(\d+)\.(\d+)$/,
    (_, major: string, minor: string) => `${major}.${Number(minor) + 1}.0`,
  );

const small = (cpu: string, memory: string, limit: string) => ({
  requests: { cpu, memory },
  limits: { cpu: '1', memory: limit },
});

/**
 * A district whose Pods all run on the real node from the built images, with requests small
 * enough that three districts fit on 2 cores; Debian's PostgreSQL 15 serves as the database.
 */
export function realDistrict(
  images: NodeImages,
  name: string,
  version = images.RH_VERSION,
): Record<string, unknown> {
  return {
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name },
    spec: {
      version,
      platform: 'kind',
      image: { repository: images.RH_IMAGE_REPOSITORY, pullPolicy: 'Never' },
      scheduling: REAL_NODE_PLACEMENT,
      database: {
        mode: 'inCluster',
        version: '15',
        image: images.RH_POSTGRES_IMAGE,
        resources: small('50m', '128Mi', '1Gi'),
        storage: { size: '1Gi' },
      },
      redis: { mode: 'inCluster', image: images.RH_REDIS_IMAGE, resources: small('20m', '64Mi', '256Mi') },
      api: { replicas: 2, resources: small('50m', '128Mi', '512Mi') },
      worker: { resources: small('50m', '128Mi', '768Mi') },
    },
  };
}

/** `helm install` of the operator chart with the built operator image, its Pods on the real node. */
export function installOperatorOnRealNode(
  images: NodeImages,
  chart: string,
  release: string,
  namespace: string,
  watchNamespaces: string[],
): void {
  const [repository, tag] = images.RH_OPERATOR_IMAGE.split(/:(?=[^:]+$)/);
  handCrdToRelease(release, namespace);
  run('helm', [
    'install',
    release,
    chart,
    '-n',
    namespace,
    '--wait',
    '--timeout',
    '120s',
    '--set-json',
    `image=${JSON.stringify({ repository, tag, pullPolicy: 'Never' })}`,
    '--set-json',
    `nodeSelector=${JSON.stringify(REAL_NODE_PLACEMENT.nodeSelector)}`,
    '--set-json',
    `tolerations=${JSON.stringify(REAL_NODE_PLACEMENT.tolerations)}`,
    '--set',
    `watchNamespaces={${watchNamespaces.join(',')}}`,
  ]);
}

/**
 * A Pod spec that Pod Security `restricted` admits: non-root uid 65532, RuntimeDefault
 * seccomp, no privilege escalation, no capabilities, no service-account token; on the real
 * node unless told otherwise.
 */
export function restrictedPodSpec(
  container: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  onRealNode = true,
): Record<string, unknown> {
  return {
    ...(onRealNode ? REAL_NODE_PLACEMENT : {}),
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        imagePullPolicy: 'Never',
        ...container,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    ...extra,
  };
}
