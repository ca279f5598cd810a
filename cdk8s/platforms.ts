/**
 * Platform profiles: what differs between kind, AKS and EKS. Moving a district is a change of
 * `spec.platform` only; account-specific values (regions, subnets, identities) live in
 * `spec.azure` / `spec.aws` and are read only by the matching profile.
 */
import { k8s } from 'cdk8s-plus-27';
import { AwsControllersProvisioner } from './managed/aws-controllers.js';
import { AzureServiceOperatorProvisioner } from './managed/azure-service-operator.js';
import type { ManagedServiceProvisioner } from './managed/provisioner.js';
import { ports } from './names.js';
import type { Platform, RosterHubInstanceSpec } from './spec.js';
import { DEFAULT_MAX_UPLOAD_BYTES, nginxBodySize } from '../lib/uploads.js';

/** How Pods of one ServiceAccount get a cloud identity. */
export interface WorkloadIdentity {
  readonly serviceAccountAnnotations: Record<string, string>;
  readonly podLabels: Record<string, string>;
  /** Node-local credential endpoints the identity's Pods must reach (beyond HTTPS out). */
  readonly egress: readonly k8s.NetworkPolicyEgressRule[];
}

/**
 * The EKS Pod Identity agent, a host-network DaemonSet answering on a link-local address: the
 * SDK reads temporary keys from it (AWS_CONTAINER_CREDENTIALS_FULL_URI) when the backup
 * ServiceAccount has a Pod Identity association instead of, or besides, IRSA.
 */
const eksPodIdentityAgent: k8s.NetworkPolicyEgressRule = {
  to: [{ ipBlock: { cidr: '169.254.170.23/32' } }, { ipBlock: { cidr: 'fd00:ec2::23/128' } }],
  ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(80) }],
};

/** What a platform decides for a district. */
export interface PlatformProfile {
  readonly platform: Platform;
  /** StorageClass of volumes whose spec names none. */
  readonly storageClassName: string;
  /** IngressClass when `spec.api.ingress.className` is absent. */
  readonly ingressClassName: string;
  /** Annotations the platform's ingress controller needs (user annotations win). */
  ingressAnnotations(tls: boolean): Record<string, string>;
  /** Cloud identity of the backup ServiceAccount, or undefined when the platform has none configured. */
  workloadIdentity(spec: RosterHubInstanceSpec): WorkloadIdentity | undefined;
  /** The provisioner of `managed` data services; undefined where there is none (kind). */
  readonly managedServices?: ManagedServiceProvisioner;
}

/** NGINX refuses bodies over 1 MB by default: let CSV packages up to the API's own limit through. */
const nginxUploads = {
  'nginx.ingress.kubernetes.io/proxy-body-size': nginxBodySize(DEFAULT_MAX_UPLOAD_BYTES),
};

const kind: PlatformProfile = {
  platform: 'kind',
  storageClassName: 'standard',
  ingressClassName: 'nginx',
  ingressAnnotations: () => nginxUploads,
  workloadIdentity: () => undefined,
};

const aks: PlatformProfile = {
  platform: 'aks',
  storageClassName: 'managed-csi',
  // The AKS application routing add-on (managed NGINX).
  ingressClassName: 'webapprouting.kubernetes.azure.com',
  ingressAnnotations: () => nginxUploads,
  workloadIdentity: (spec) =>
    spec.azure?.workloadIdentityClientId === undefined
      ? undefined
      : {
          serviceAccountAnnotations: {
            'azure.workload.identity/client-id': spec.azure.workloadIdentityClientId,
          },
          podLabels: { 'azure.workload.identity/use': 'true' },
          // The federated token is exchanged at Microsoft Entra ID, over HTTPS.
          egress: [],
        },
  managedServices: new AzureServiceOperatorProvisioner(),
};

const eks: PlatformProfile = {
  platform: 'eks',
  // The EBS CSI driver's gp3 class (create it if the cluster has only the legacy gp2).
  storageClassName: 'gp3',
  // AWS Load Balancer Controller; target-type ip sends traffic straight to Pod IPs.
  ingressClassName: 'alb',
  ingressAnnotations: (tls) => ({
    'alb.ingress.kubernetes.io/scheme': 'internet-facing',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    // /readyz lives on the health port, not on the port the ALB sends traffic to
    'alb.ingress.kubernetes.io/healthcheck-path': '/readyz',
    'alb.ingress.kubernetes.io/healthcheck-port': String(ports.apiHealth.number),
    ...(tls
      ? {
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
          'alb.ingress.kubernetes.io/ssl-redirect': '443',
        }
      : {}),
  }),
  workloadIdentity: (spec) =>
    spec.aws?.iamRoleArn === undefined
      ? undefined
      : {
          serviceAccountAnnotations: {
            'eks.amazonaws.com/role-arn': spec.aws.iamRoleArn,
            'eks.amazonaws.com/sts-regional-endpoints': 'true',
          },
          podLabels: {},
          // IRSA exchanges its token at STS over HTTPS; Pod Identity asks the node's agent.
          egress: [eksPodIdentityAgent],
        },
  managedServices: new AwsControllersProvisioner(),
};

/** The profile of every platform. */
export const platformProfiles: Readonly<Record<Platform, PlatformProfile>> = { kind, aks, eks };
