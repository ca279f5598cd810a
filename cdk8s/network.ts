import { k8s } from 'cdk8s-plus-27';

/**
 * Egress to any address (IPv4 and IPv6) on the given TCP ports: how the selected Pods reach a
 * server outside the cluster (a managed or external data service, object storage).
 */
export function egressToAnywhere(tcpPorts: readonly number[]): k8s.NetworkPolicyEgressRule[] {
  return [
    {
      to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
      ports: tcpPorts.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
    },
  ];
}
