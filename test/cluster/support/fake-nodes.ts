import { ApiException, type CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { KWOK_NODE_ANNOTATION } from './components.js';

/** Name of the i-th fake Node. */
export const fakeNodeName = (index: number): string => `kwok-node-${index}`;

/** kwok's documented sample Node, without its NoSchedule taint so ordinary Pods land on it. */
export function fakeNode(name: string): V1Node {
  const resources = { cpu: '32', memory: '256Gi', pods: '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        [KWOK_NODE_ANNOTATION.key]: KWOK_NODE_ANNOTATION.value,
      },
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/role': 'agent',
        'node-role.kubernetes.io/agent': '',
        type: 'kwok',
      },
    },
    status: {
      allocatable: resources,
      capacity: resources,
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: '',
        kernelVersion: '',
        kubeProxyVersion: 'fake',
        kubeletVersion: 'fake',
        machineID: '',
        operatingSystem: 'linux',
        osImage: '',
        systemUUID: '',
      },
      phase: 'Running',
    },
  };
}

/** Creates the fake Nodes (already existing ones are kept). */
export async function createFakeNodes(core: CoreV1Api, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, (_, index) => fakeNodeName(index));
  await Promise.all(
    names.map(async (name) => {
      try {
        await core.createNode({ body: fakeNode(name) });
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    }),
  );
  return names;
}

/** Names of the given Nodes that are not yet Ready and schedulable (no not-ready taint). */
export async function unreadyNodes(core: CoreV1Api, names: string[]): Promise<string[]> {
  const { items } = await core.listNode();
  return names.filter((name) => {
    const node = items.find((candidate) => candidate.metadata?.name === name);
    const ready = node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const tainted = node?.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')) ?? false;
    return !ready || tainted;
  });
}
