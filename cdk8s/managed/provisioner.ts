import type { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import type { DataServiceClaim, PostgresConnection, RedisConnection } from '../claims/claim.js';
import type { InstanceContext } from '../context.js';
import { componentLabels, type Component } from '../names.js';

/**
 * Turns `mode: managed` into the cloud's own PostgreSQL and Redis, expressed as Kubernetes
 * resources of a provisioner running in the cluster. The one seam to swap the provisioner
 * (Azure Service Operator, AWS Controllers for Kubernetes, or e.g. Crossplane): the rest of
 * the synthesis only sees the claims it returns. See docs/managed-services.md.
 */
export interface ManagedServiceProvisioner {
  /** Short name, shown in docs and errors. */
  readonly id: string;
  /** Adds the resources of a managed PostgreSQL server and database to `scope`. */
  postgres(scope: Construct, context: InstanceContext): DataServiceClaim<PostgresConnection>;
  /** Adds the resources of a managed Redis to `scope`. */
  redis(scope: Construct, context: InstanceContext): DataServiceClaim<RedisConnection>;
}

/** Egress from app Pods to a server outside the cluster, on the given TCP ports. */
export function egressToAnywhere(tcpPorts: readonly number[]): k8s.NetworkPolicyEgressRule[] {
  return [
    {
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
      ports: tcpPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
    },
  ];
}

/** Metadata of a provisioner resource: its name, the component labels and extra annotations. */
export function managedMetadata(
  context: InstanceContext,
  component: Extract<Component, 'postgres' | 'redis'>,
  name: string,
  annotations: Record<string, string> = {},
): { name: string; labels: Record<string, string>; annotations?: Record<string, string> } {
  return {
    name,
    labels: componentLabels(context.name, component, context.spec.version),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}
