import { join } from 'node:path';
import { stringify } from 'yaml';

/** Facts of the one real test node; tests select it through REAL_NODE_PLACEMENT. */
export const REAL_NODE = {
  name: 'rosterhub-real-node',
  label: { key: 'rosterhub.io/node', value: 'real' },
  taint: { key: 'rosterhub.io/real-node', value: 'true', effect: 'NoSchedule' },
  bridge: 'rh-br0',
  podCidr: '10.89.0.0/24',
  /** The bridge's own address: CoreDNS and the API server's in-cluster endpoint listen here. */
  gateway: '10.89.0.1',
  /** ClusterIP of kube-system/kube-dns (inside the control plane's service range). */
  clusterDns: '10.0.0.10',
  /** Port on the gateway that forwards to the API server (the `kubernetes` Service's endpoint). */
  apiServerPort: 6443,
  /** Every Pod of the node lives below this cgroup, in each hierarchy. */
  cgroupRoot: '/rosterhub-real-node',
  /** Where a running node records itself, so that the next run can clean up after a crash. */
  stateFile: '/run/rosterhub-real-node.json',
} as const;

/** nodeSelector and tolerations that put a Pod (or every Pod of an instance) on the real node. */
export const REAL_NODE_PLACEMENT = {
  nodeSelector: { [REAL_NODE.label.key]: REAL_NODE.label.value },
  tolerations: [
    {
      key: REAL_NODE.taint.key,
      operator: 'Equal',
      value: REAL_NODE.taint.value,
      effect: REAL_NODE.taint.effect,
    },
  ],
};

/** Folders and files of one real node below its working folder. */
export function nodePaths(dir: string, containerdRoot: string) {
  return {
    dir,
    containerdRoot,
    containerdState: join(dir, 'containerd-state'),
    containerdSocket: join(dir, 'containerd.sock'),
    containerdConfig: join(dir, 'containerd.toml'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniIpamDir: join(dir, 'cni', 'ipam'),
    kubeletRoot: join(dir, 'kubelet'),
    kubeletConfig: join(dir, 'kubelet.yaml'),
    kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
    podLogs: join(dir, 'pod-logs'),
    resolvConf: join(dir, 'resolv.conf'),
    kubeProxyConfig: join(dir, 'kube-proxy.yaml'),
    kubeProxyKubeconfig: join(dir, 'kube-proxy.kubeconfig'),
    corefile: join(dir, 'Corefile'),
    logs: join(dir, 'logs'),
  };
}

export type NodePaths = ReturnType<typeof nodePaths>;

/** containerd 1.6 (config version 2) with its state, sockets and runc state under the node's folder. */
export function containerdConfig(paths: NodePaths, pauseImage: string): string {
  return `version = 2
root = "${paths.containerdRoot}"
state = "${paths.containerdState}"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = "${paths.containerdSocket}"

[ttrpc]
  address = "${paths.containerdSocket}.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "${join(paths.dir, 'opt')}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${pauseImage}"
  # root may not lower oom_score_adj on this kind of machine (no CAP_SYS_RESOURCE)
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        Root = "${join(paths.containerdState, 'runc')}"
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${paths.cniConfDir}"
`;
}

/** bridge + host-local + portmap; no masquerading: pod traffic never leaves the machine. */
export function cniConfig(paths: NodePaths): string {
  return JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'rosterhub-real-node',
      plugins: [
        {
          type: 'bridge',
          bridge: REAL_NODE.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: REAL_NODE.podCidr, gateway: REAL_NODE.gateway }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: paths.cniIpamDir,
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

/** What the kubelet's configuration depends on besides the node's facts. */
export interface KubeletSettings {
  caCert: string;
  nodeIp: string;
  port: number;
  healthzPort: number;
}

export function kubeletConfig(paths: NodePaths, settings: KubeletSettings): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // 1.35 refuses cgroup v1 unless told otherwise; the machine has v1 hierarchies
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: REAL_NODE.cgroupRoot,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    resolvConf: paths.resolvConf,
    clusterDNS: [REAL_NODE.clusterDns],
    clusterDomain: 'cluster.local',
    // the images are imported, never pulled: never collect them
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    podLogsDir: paths.podLogs,
    address: settings.nodeIp,
    port: settings.port,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: settings.healthzPort,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: settings.caCert },
    },
    authorization: { mode: 'Webhook' },
    registerWithTaints: [REAL_NODE.taint],
    maxPods: 60,
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    nodeStatusUpdateFrequency: '5s',
  });
}

export interface KubeProxySettings {
  nodeIp: string;
  healthzPort: number;
  metricsPort: number;
}

export function kubeProxyConfig(paths: NodePaths, settings: KubeProxySettings): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: paths.kubeProxyKubeconfig },
    hostnameOverride: REAL_NODE.name,
    mode: 'iptables',
    clusterCIDR: REAL_NODE.podCidr,
    detectLocalMode: 'ClusterCIDR',
    // leave nf_conntrack_max and route_localnet as they are
    conntrack: { maxPerCore: 0, min: 0 },
    iptables: { localhostNodePorts: false, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '0s' },
    nodePortAddresses: [`${settings.nodeIp}/32`],
    healthzBindAddress: `127.0.0.1:${settings.healthzPort}`,
    metricsBindAddress: `127.0.0.1:${settings.metricsPort}`,
  });
}

/** cluster.local from the API server; every other name NXDOMAIN, so nothing is asked outside. */
export function corefile(kubeconfig: string, healthPort: number): string {
  return `cluster.local:53 in-addr.arpa:53 {
  bind ${REAL_NODE.gateway}
  errors
  health 127.0.0.1:${healthPort}
  kubernetes cluster.local in-addr.arpa {
    kubeconfig ${kubeconfig}
    pods insecure
    ttl 5
  }
  cache 5
}
.:53 {
  bind ${REAL_NODE.gateway}
  template ANY ANY {
    rcode NXDOMAIN
  }
}
`;
}
