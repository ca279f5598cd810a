import { JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { imagePullSecrets, placement } from '../constructs/app-pod.js';
import type { InstanceContext } from '../context.js';
import { componentLabels, selectorLabels } from '../names.js';
import { restrictedPodSecurityContext } from '../pod-security.js';

/** Props of {@link SingleServerStatefulSet}. */
export interface SingleServerStatefulSetProps {
  readonly context: InstanceContext;
  readonly component: 'postgres' | 'redis';
  /** Name of the StatefulSet and its headless Service. */
  readonly name: string;
  readonly port: { readonly name: string; readonly number: number };
  /** UID the image's server runs as. */
  readonly runAsUser: number;
  readonly terminationGracePeriodSeconds: number;
  /** The server container; it mounts the claim as volume `data`. */
  readonly container: k8s.Container;
  readonly volumes: k8s.Volume[];
  readonly storage: { readonly className?: string; readonly size: string };
  /** What happens to the claim when the StatefulSet is deleted. */
  readonly deletionPolicy: 'Retain' | 'Delete';
}

/**
 * A one-replica StatefulSet of a data server with its PersistentVolumeClaim and the headless
 * Service clients connect through: the shape the in-cluster PostgreSQL and Redis share.
 */
export class SingleServerStatefulSet extends Construct {
  /** Egress rules that let clients reach the server's Pods on its port. */
  readonly clientEgress: k8s.NetworkPolicyEgressRule[];

  constructor(scope: Construct, id: string, props: SingleServerStatefulSetProps) {
    super(scope, id);
    const { context, component, name, port } = props;
    const selector = selectorLabels(context.name, component);
    const labels = componentLabels(context.name, component, context.spec.version);
    // Without the version: an app upgrade must not restart the server, and claim templates are immutable.
    const podLabels = componentLabels(context.name, component);

    new k8s.KubeService(this, 'Service', {
      metadata: { name, labels },
      spec: {
        clusterIp: 'None',
        selector,
        ports: [{ name: port.name, port: port.number, targetPort: k8s.IntOrString.fromString(port.name) }],
      },
    });

    const statefulSet = new k8s.KubeStatefulSet(this, 'StatefulSet', {
      metadata: { name, labels },
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selector },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: podLabels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
            securityContext: restrictedPodSecurityContext(props.runAsUser),
            ...imagePullSecrets(context),
            ...placement(context),
            containers: [props.container],
            volumes: props.volumes,
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data', labels: podLabels },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.storage.className ?? context.profile.storageClassName,
              resources: { requests: { storage: k8s.Quantity.fromString(props.storage.size) } },
            },
          },
        ],
      },
    });
    // Not in the k8s 1.27 typings cdk8s-plus-27 ships (GA since 1.32).
    statefulSet.addJsonPatch(
      JsonPatch.add('/spec/persistentVolumeClaimRetentionPolicy', {
        whenDeleted: props.deletionPolicy,
        whenScaled: 'Retain',
      }),
    );

    this.clientEgress = [
      {
        to: [{ podSelector: { matchLabels: selector } }],
        ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port.number) }],
      },
    ];
  }
}
