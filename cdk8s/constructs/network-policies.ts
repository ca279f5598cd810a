import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import {
  instanceLabels,
  instancePodSelector,
  labelKeys,
  ports,
  selectorLabels,
  type Component,
} from '../names.js';
import { egressToAnywhere } from '../network.js';

/** Props of {@link NetworkPolicies}. */
export interface NetworkPoliciesProps {
  readonly context: InstanceContext;
  /** Egress app Pods need to reach PostgreSQL (from the claim). */
  readonly postgresEgress: readonly k8s.NetworkPolicyEgressRule[];
  /** Egress app Pods need to reach Redis (from the claim). */
  readonly redisEgress: readonly k8s.NetworkPolicyEgressRule[];
  /** Egress the backup's cloud identity needs besides HTTPS (its platform profile's). */
  readonly backupIdentityEgress: readonly k8s.NetworkPolicyEgressRule[];
}

/** Components that talk to PostgreSQL and to Redis. */
const postgresClients: Component[] = ['api', 'worker', 'migration', 'backup'];
const redisClients: Component[] = ['api', 'worker'];

/** The KEDA operator, as its Helm chart installs it (namespace `keda`). */
const kedaOperatorPeer: k8s.NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } },
  podSelector: { matchLabels: { 'app.kubernetes.io/name': 'keda-operator' } },
};

/**
 * Ports backup Pods reach their store on: HTTPS (the cloud's storage and identity endpoints),
 * plus the port of a custom endpoint (an in-cluster MinIO on 9000, Azurite on 10000, …).
 */
function backupStorePorts(destination: InstanceContext['spec']['backup']['destination']): number[] {
  const endpoint = destination.type === 's3' ? destination.s3?.endpoint : destination.azureBlob?.endpoint;
  if (endpoint === undefined) return [ports.https];
  const url = new URL(endpoint);
  const port = url.port === '' ? (url.protocol === 'http:' ? 80 : ports.https) : Number(url.port);
  return [...new Set([ports.https, port])];
}

const tcp = (port: number | string): k8s.NetworkPolicyPort => ({
  protocol: 'TCP',
  port: typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port),
});

/**
 * The instance's NetworkPolicies: deny everything to and from its Pods, then allow DNS, traffic
 * into the API, app → PostgreSQL and Redis (and their ingress when in-cluster), and HTTPS out
 * of backup Pods that write to object storage. Scoped to the instance's Pods, so other
 * workloads of the namespace are untouched.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { context } = props;
    const { spec, names } = context;
    const labels = instanceLabels(context.name);
    const clientsOf = (components: Component[]): k8s.LabelSelector => ({
      matchLabels: instancePodSelector(context.name),
      matchExpressions: [{ key: labelKeys.component, operator: 'In', values: components }],
    });
    const policy = (purpose: string, policySpec: k8s.NetworkPolicySpec) =>
      new k8s.KubeNetworkPolicy(this, purpose, {
        metadata: { name: names.networkPolicy(purpose), labels },
        spec: policySpec,
      });

    policy('default-deny', {
      podSelector: { matchLabels: instancePodSelector(context.name) },
      policyTypes: ['Ingress', 'Egress'],
    });
    // DNS to any address: a policy engine sees the resolver after the Service's DNAT, which is
    // not a kube-dns Pod under NodeLocal DNSCache (a link-local address on the node), a
    // host-network CoreDNS or a cloud's node-local resolver.
    policy('allow-dns', {
      podSelector: { matchLabels: instancePodSelector(context.name) },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(ports.dns) }, tcp(ports.dns)] }],
    });
    // Clients, the ingress controller and Prometheus all reach the API on its one port.
    policy('allow-api-ingress', {
      podSelector: { matchLabels: selectorLabels(context.name, 'api') },
      policyTypes: ['Ingress'],
      // the health port too: the kubelet probes it, and Prometheus may run in any namespace
      ingress: [{ ports: [tcp(ports.api.name), tcp(ports.apiHealth.name)] }],
    });
    policy('allow-postgres-egress', {
      podSelector: clientsOf(postgresClients),
      policyTypes: ['Egress'],
      egress: [...props.postgresEgress],
    });
    policy('allow-redis-egress', {
      podSelector: clientsOf(redisClients),
      policyTypes: ['Egress'],
      egress: [...props.redisEgress],
    });
    if (spec.database.mode === 'inCluster') {
      policy('allow-postgres-ingress', {
        podSelector: { matchLabels: selectorLabels(context.name, 'postgres') },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: clientsOf(postgresClients) }], ports: [tcp(ports.postgres.name)] }],
      });
    }
    if (spec.redis.mode === 'inCluster') {
      policy('allow-redis-ingress', {
        podSelector: { matchLabels: selectorLabels(context.name, 'redis') },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: clientsOf(redisClients) },
              // KEDA's operator reads the import queue's depth (worker-autoscaler.ts).
              ...(context.workerAutoscaler === 'keda' ? [kedaOperatorPeer] : []),
            ],
            ports: [tcp(ports.redis.name)],
          },
        ],
      });
    }
    if (spec.backup.enabled && spec.backup.destination.type !== 'pvc') {
      // Object storage, and the identity provider's token endpoint, over HTTPS.
      policy('allow-backup-egress', {
        podSelector: { matchLabels: selectorLabels(context.name, 'backup') },
        policyTypes: ['Egress'],
        egress: [
          ...egressToAnywhere(backupStorePorts(spec.backup.destination)),
          ...props.backupIdentityEgress,
        ],
      });
    }
  }
}
