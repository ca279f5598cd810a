// One real Kubernetes node beside the kwok nodes: containerd + runc run real containers from
// imported images, the CNI bridge wires Pods, kube-proxy serves ClusterIPs, CoreDNS (a host
// process on the bridge) serves cluster.local, and kube-router enforces NetworkPolicies. Every
// packet stays on this machine. Everything it changes on the host is recorded first (host-state.ts)
// and put back on teardown, or by the next start after a crash.
import {
  ApiException,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  type V1Node,
} from '@kubernetes/client-node';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueClientCertificate, type Certificates } from '../certificates.js';
import { KWOK_NODE_IP, KWOK_POD_CIDR, SERVICE_CLUSTER_IP_RANGE } from '../components.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { freePorts } from '../network.js';
import { isProcessAlive, stopProcessGroup, SupervisedProcess, tailFile } from '../processes.js';
import {
  createCgroup,
  host,
  removeCgroup,
  restoreHost,
  snapshotHost,
  tryHost,
  unmountBelow,
  type HostSnapshot,
} from './host-state.js';
import {
  REAL_NODE,
  cniConfig,
  containerdConfig,
  corefile,
  kubeProxyConfig,
  kubeletConfig,
  nodePaths,
  type NodePaths,
} from './node-config.js';

/** How to start the real node. */
export interface RealNodeOptions {
  /** Working folder (certificates, configs, logs, containerd state, kubelet root); removed on stop. */
  dir: string;
  /** containerd's root (content and snapshots): kept between runs so that images import once. */
  containerdRoot: string;
  /** kubelet, kube-proxy, coredns, kube-router (scripts/node-testbin.sh). */
  binDir: string;
  /** Image archives (docker-archive) to import, each with `<file>.id` naming its image id. */
  archives: string[];
  pauseImage: string;
  controlPlane: { kubeconfig: string; server: string; certs: Certificates };
  tiedToThisProcess: boolean;
  progress?: (line: string) => void;
}

/** What a running real node records in REAL_NODE.stateFile. */
export interface RealNodeState {
  dir: string;
  ownerPid: number | null;
  snapshot: HostSnapshot;
  containerdRoot: string;
  containerdSocket: string;
  components: { name: string; pid: number; logFile: string }[];
  blackholes: string[];
  startupSeconds: number | null;
}

/** Start-up failed; the message names the step and the log tail of the component at fault. */
export class RealNodeStartError extends Error {
  override readonly name = 'RealNodeStartError';
}

const STEP_TIMEOUT_MS = 180_000;

export function readRealNodeState(): RealNodeState | undefined {
  try {
    return JSON.parse(readFileSync(REAL_NODE.stateFile, 'utf8')) as RealNodeState;
  } catch {
    return undefined;
  }
}

function saveState(state: RealNodeState): void {
  writeFileSync(REAL_NODE.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

async function defaultRoute(): Promise<{ device: string; address: string }> {
  const route = await host('ip', '-4', 'route', 'show', 'default');
  const device = /\bdev (\S+)/.exec(route)?.[1];
  if (!device) throw new Error(`no IPv4 default route (ip route: ${route.trim() || 'empty'})`);
  const addresses = await host('ip', '-4', '-o', 'addr', 'show', 'dev', device);
  const address = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(addresses)?.[1];
  if (!address) throw new Error(`interface ${device} has no IPv4 address`);
  return { device, address };
}

/** Processes of containerd's shims for this node (they outlive containerd by design). */
function shimPids(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('containerd-shim') && cmdline.includes(socket)) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

/**
 * Stops the node recorded in `state` and puts the host back: components, every container
 * (cgroup subtree, shims), mounts, network namespaces, the bridge and routes, iptables,
 * ipsets, nft tables, sysctls and stray host folders. Failures are reported, never thrown.
 */
export async function stopRealNode(state: RealNodeState, report: (line: string) => void): Promise<void> {
  const order = ['kube-router', 'kube-proxy', 'kubelet', 'coredns', 'api-forward'];
  const byOrder = [...state.components].sort((a, b) => order.indexOf(b.name) - order.indexOf(a.name));
  for (const component of byOrder.filter((c) => c.name !== 'containerd'))
    await stopProcessGroup(component.pid, 5000);
  await removeCgroup(REAL_NODE.cgroupRoot, report);
  for (const pid of shimPids(state.containerdSocket)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  for (const component of state.components.filter((c) => c.name === 'containerd'))
    await stopProcessGroup(component.pid, 5000);
  await unmountBelow(state.dir, report);
  await unmountBelow(state.containerdRoot, report);
  if (existsSync(`/sys/class/net/${REAL_NODE.bridge}`))
    await tryHost(report, 'ip', 'link', 'delete', REAL_NODE.bridge);
  for (const blackhole of state.blackholes)
    await tryHost(report, 'ip', 'route', 'del', 'blackhole', blackhole);
  await restoreHost(state.snapshot, report);
  rmSync(state.dir, { recursive: true, force: true });
  rmSync(REAL_NODE.stateFile, { force: true });
}

/** Gives an image on the running real node a second name (e.g. another version tag), without a registry. */
export async function tagRealNodeImage(source: string, target: string): Promise<void> {
  const state = readRealNodeState();
  if (!state) throw new Error('no real node is running');
  await host(
    'ctr',
    '--address',
    state.containerdSocket,
    '--namespace',
    'k8s.io',
    'images',
    'tag',
    '--force',
    source,
    target,
  );
}

/**
 * Cleans up after a real node whose owner is gone (a crashed run); refuses when one is still
 * owned by a live process.
 */
export async function removeStaleRealNode(report: (line: string) => void): Promise<void> {
  const state = readRealNodeState();
  if (!state) {
    if (existsSync(`/sys/class/net/${REAL_NODE.bridge}`))
      await tryHost(report, 'ip', 'link', 'delete', REAL_NODE.bridge);
    return;
  }
  if (state.ownerPid !== null && state.ownerPid !== process.pid && isProcessAlive(state.ownerPid))
    throw new RealNodeStartError(
      `a real node already runs, owned by pid ${state.ownerPid} (folder ${state.dir}); one per machine`,
    );
  if (
    state.ownerPid === null &&
    state.startupSeconds !== null &&
    state.components.every((c) => isProcessAlive(c.pid))
  )
    throw new RealNodeStartError(
      `a real node of make cluster-up runs (folder ${state.dir}); stop it first with make cluster-down`,
    );
  report(`cleaning up the real node a previous run left (${state.dir})`);
  await stopRealNode(state, report);
}

/** The real node, started. `stop()` is idempotent. */
export class RealNode {
  private readonly processes: SupervisedProcess[] = [];
  private state: RealNodeState | undefined;
  private stopped: Promise<void> | undefined;
  private readonly options: RealNodeOptions;
  private readonly paths: NodePaths;

  constructor(options: RealNodeOptions) {
    this.options = options;
    this.paths = nodePaths(options.dir, options.containerdRoot);
  }

  async start(): Promise<RealNodeState> {
    const say = this.options.progress ?? (() => undefined);
    await removeStaleRealNode(say);
    const started = Date.now();
    try {
      await this.startEverything();
      const state = this.requireState();
      state.startupSeconds = (Date.now() - started) / 1000;
      saveState(state);
      return state;
    } catch (error) {
      const report = this.failureReport(error);
      await this.stop();
      throw new RealNodeStartError(report, { cause: error });
    }
  }

  async stop(): Promise<void> {
    this.stopped ??= this.state
      ? stopRealNode(readRealNodeState() ?? this.state, (line) => this.options.progress?.(line))
      : Promise.resolve();
    return this.stopped;
  }

  private requireState(): RealNodeState {
    if (!this.state) throw new Error('the real node has not been started');
    return this.state;
  }

  private async startEverything(): Promise<void> {
    const { options, paths } = this;
    const step = this.stepTimer();
    for (const folder of [
      paths.dir,
      paths.logs,
      paths.cniConfDir,
      paths.cniIpamDir,
      paths.podLogs,
      options.containerdRoot,
    ])
      mkdirSync(folder, { recursive: true });
    this.state = {
      dir: paths.dir,
      ownerPid: options.tiedToThisProcess ? process.pid : null,
      snapshot: await snapshotHost(),
      containerdRoot: options.containerdRoot,
      containerdSocket: paths.containerdSocket,
      components: [],
      blackholes: [KWOK_POD_CIDR, `${KWOK_NODE_IP}/32`],
      startupSeconds: null,
    };
    saveState(this.state);
    const external = await defaultRoute();
    await this.network(external.device);
    createCgroup(REAL_NODE.cgroupRoot);
    step('host network (bridge, routes, FORWARD guard, sysctls)');

    const [kubeletPort, kubeletHealthz, proxyHealthz, proxyMetrics, dnsHealth, routerHealth] =
      await freePorts(6);
    const { certs, server } = options.controlPlane;
    const ca = readFileSync(certs.caCert, 'utf8');
    const kubeconfigOf = async (name: string, subject: string, path: string): Promise<void> => {
      const issued = await issueClientCertificate(certs, paths.dir, name, subject);
      await writeKubeconfig(path, {
        name,
        server,
        caData: ca,
        user: { certData: readFileSync(issued.cert, 'utf8'), keyData: readFileSync(issued.key, 'utf8') },
      });
    };
    await kubeconfigOf(
      'kubelet',
      `/O=system:nodes/CN=system:node:${REAL_NODE.name}`,
      paths.kubeletKubeconfig,
    );
    await kubeconfigOf('kube-proxy', '/CN=system:kube-proxy', paths.kubeProxyKubeconfig);
    writeFileSync(paths.containerdConfig, containerdConfig(paths, options.pauseImage));
    writeFileSync(join(paths.cniConfDir, '10-rosterhub.conflist'), cniConfig(paths));
    writeFileSync(paths.resolvConf, `nameserver ${REAL_NODE.gateway}\n`);
    writeFileSync(
      paths.kubeletConfig,
      kubeletConfig(paths, {
        caCert: certs.caCert,
        nodeIp: external.address,
        port: kubeletPort!,
        healthzPort: kubeletHealthz!,
      }),
    );
    writeFileSync(
      paths.kubeProxyConfig,
      kubeProxyConfig(paths, {
        nodeIp: external.address,
        healthzPort: proxyHealthz!,
        metricsPort: proxyMetrics!,
      }),
    );
    writeFileSync(paths.corefile, corefile(options.controlPlane.kubeconfig, dnsHealth!));
    await this.clusterObjects();
    step('certificates, configuration and cluster objects (node RBAC, kube-dns, kubernetes endpoint)');

    this.launch('containerd', '/usr/bin/containerd', ['--config', paths.containerdConfig]);
    await this.waitUntil('containerd', async () => {
      await this.ctr('version');
      return true;
    });
    await this.forgetOldContainers();
    step('containerd');
    await this.importImages((line) => this.options.progress?.(line));
    step('images imported');

    const bin = (name: string): string => join(options.binDir, name);
    this.launch('coredns', bin('coredns'), ['-conf', paths.corefile]);
    this.launch('api-forward', '/usr/bin/socat', [
      `TCP-LISTEN:${REAL_NODE.apiServerPort},bind=${REAL_NODE.gateway},fork,reuseaddr`,
      `TCP:${new URL(server).host}`,
    ]);
    this.launch('kubelet', bin('kubelet'), [
      `--config=${paths.kubeletConfig}`,
      `--kubeconfig=${paths.kubeletKubeconfig}`,
      `--root-dir=${paths.kubeletRoot}`,
      `--cert-dir=${join(paths.kubeletRoot, 'pki')}`,
      `--hostname-override=${REAL_NODE.name}`,
      `--node-ip=${external.address}`,
      `--node-labels=${REAL_NODE.label.key}=${REAL_NODE.label.value}`,
      '--v=1',
    ]);
    this.launch('kube-proxy', bin('kube-proxy'), [`--config=${paths.kubeProxyConfig}`, '--v=1']);
    const core = this.admin().makeApiClient(CoreV1Api);
    await this.waitUntil(`Node ${REAL_NODE.name} Ready`, async () => {
      const node: V1Node = await core.readNode({ name: REAL_NODE.name });
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    });
    step('kubelet (Node Ready)');
    this.launch('kube-router', bin('kube-router'), [
      `--kubeconfig=${options.controlPlane.kubeconfig}`,
      `--hostname-override=${REAL_NODE.name}`,
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      '--run-loadbalancer=false',
      '--enable-cni=false',
      '--enable-pod-egress=false',
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      `--health-port=${routerHealth}`,
      '--metrics-port=0',
      '--v=1',
    ]);
    const healthy = (port: number, path: string) => async () =>
      (await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined))?.ok === true;
    await Promise.all([
      this.waitUntil('kube-proxy /healthz', healthy(proxyHealthz!, '/healthz')),
      this.waitUntil('coredns /health', healthy(dnsHealth!, '/health')),
      this.waitUntil('kube-router /healthz', healthy(routerHealth!, '/healthz')),
    ]);
    step('kube-proxy, CoreDNS and kube-router healthy');
  }

  /** The bridge with its gateway address, routes that keep every packet here, the FORWARD guard. */
  private async network(externalDevice: string): Promise<void> {
    const bridge = REAL_NODE.bridge;
    await host('ip', 'link', 'add', bridge, 'type', 'bridge');
    await host('ip', 'addr', 'add', `${REAL_NODE.gateway}/24`, 'dev', bridge);
    await host('ip', 'link', 'set', bridge, 'up');
    // ClusterIPs without endpoints, and kwok's made-up Pod and Node addresses, must not follow
    // the default route off the machine
    await host('ip', 'route', 'replace', SERVICE_CLUSTER_IP_RANGE, 'dev', bridge);
    for (const blackhole of this.requireState().blackholes)
      await host('ip', 'route', 'replace', 'blackhole', blackhole);
    for (const [key, value] of [
      ['net/bridge/bridge-nf-call-iptables', '1'],
      ['net/bridge/bridge-nf-call-ip6tables', '1'],
      ['net/ipv4/ip_forward', '1'],
    ] as const)
      writeFileSync(join('/proc/sys', key), value);
    await host('iptables', '-N', 'RH-REAL-NODE');
    await host('iptables', '-A', 'RH-REAL-NODE', '-s', REAL_NODE.podCidr, '-o', externalDevice, '-j', 'DROP');
    await host('iptables', '-A', 'RH-REAL-NODE', '-d', REAL_NODE.podCidr, '-i', externalDevice, '-j', 'DROP');
    await host('iptables', '-I', 'FORWARD', '1', '-j', 'RH-REAL-NODE');
  }

  private admin(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(this.options.controlPlane.kubeconfig);
    return kubeConfig;
  }

  /** Node RBAC, the kube-dns Service at clusterDNS and the endpoints of `kubernetes` and kube-dns. */
  private async clusterObjects(): Promise<void> {
    const admin = this.admin();
    const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
    const core = admin.makeApiClient(CoreV1Api);
    const discovery = admin.makeApiClient(DiscoveryV1Api);
    const ignoreExisting = (error: unknown): void => {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    };
    // the test API server authorizes with RBAC only (no Node authorizer)
    await rbac
      .createClusterRoleBinding({
        body: {
          metadata: { name: 'rosterhub-test:nodes' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:node' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' }],
        },
      })
      .catch(ignoreExisting);
    await core
      .createNamespacedService({
        namespace: 'kube-system',
        body: {
          metadata: { name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' } },
          spec: {
            clusterIP: REAL_NODE.clusterDns,
            ports: [
              { name: 'dns', port: 53, protocol: 'UDP' },
              { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            ],
          },
        },
      })
      .catch(ignoreExisting);
    const slice = (
      namespace: string,
      service: string,
      ports: { name: string; port: number; protocol: string }[],
    ) =>
      discovery
        .createNamespacedEndpointSlice({
          namespace,
          body: {
            metadata: {
              name: `${service}-real-node`,
              labels: {
                'kubernetes.io/service-name': service,
                'endpointslice.kubernetes.io/managed-by': 'rosterhub-test-harness',
              },
            },
            addressType: 'IPv4',
            endpoints: [{ addresses: [REAL_NODE.gateway], conditions: { ready: true } }],
            ports,
          },
        })
        .catch(ignoreExisting);
    await slice('kube-system', 'kube-dns', [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]);
    await slice('default', 'kubernetes', [{ name: 'https', port: REAL_NODE.apiServerPort, protocol: 'TCP' }]);
  }

  private ctr(...args: string[]): Promise<string> {
    return host('ctr', '--address', this.paths.containerdSocket, '--namespace', 'k8s.io', ...args);
  }

  /** Containers a crashed run left in the kept containerd root: their processes are gone. */
  private async forgetOldContainers(): Promise<void> {
    const ids = (await this.ctr('containers', 'list', '--quiet')).split('\n').filter((id) => id !== '');
    for (const id of ids) await this.ctr('containers', 'delete', id).catch(() => undefined);
  }

  /** Imports each archive whose image id differs from what the kept containerd root last imported. */
  private async importImages(say: (line: string) => void): Promise<void> {
    const stampFile = join(this.options.containerdRoot, 'imported.json');
    let stamps: Record<string, string> = {};
    try {
      stamps = JSON.parse(readFileSync(stampFile, 'utf8')) as Record<string, string>;
    } catch {
      // none yet
    }
    const present = await this.ctr('images', 'list', '--quiet');
    for (const archive of this.options.archives) {
      const id = readFileSync(`${archive}.id`, 'utf8').trim();
      if (stamps[archive] === id && present.includes(imageNameOf(archive))) continue;
      const started = Date.now();
      await this.ctr('images', 'import', archive);
      stamps[archive] = id;
      writeFileSync(stampFile, JSON.stringify(stamps, null, 2));
      say(`imported ${archive} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  private launch(name: string, command: string, args: string[]): void {
    const state = this.requireState();
    const logFile = join(this.paths.logs, `${name}.log`);
    const handle = SupervisedProcess.start({
      name,
      command,
      args,
      cwd: this.paths.dir,
      logFile,
      graceSeconds: 5,
      tiedToThisProcess: this.options.tiedToThisProcess,
    });
    this.processes.push(handle);
    state.components.push({ name, pid: handle.pid, logFile });
    saveState(state);
  }

  private async waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const dead = this.processes.find((p) => p.hasExited);
      if (dead) throw new Error(`${dead.describeExit()} while waiting for ${what}`);
      let failure = '';
      try {
        if (await probe()) return;
      } catch (error) {
        failure = ` (last error: ${error instanceof Error ? error.message : String(error)})`;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out after ${STEP_TIMEOUT_MS / 1000} s waiting for ${what}${failure}`);
      await sleep(200);
    }
  }

  private failureReport(error: unknown): string {
    const lines = [`real node start-up failed: ${error instanceof Error ? error.message : String(error)}`];
    lines.push(`working folder: ${this.paths.dir}; logs in ${this.paths.logs}`);
    const culprit = this.processes.find((p) => p.hasExited) ?? this.processes.at(-1);
    if (culprit) lines.push(`last 40 lines of ${culprit.spec.logFile}:`, tailFile(culprit.spec.logFile, 40));
    return lines.join('\n');
  }

  private stepTimer(): (name: string) => void {
    let last = Date.now();
    return (name) => {
      const now = Date.now();
      this.options.progress?.(`real node: ${name} in ${((now - last) / 1000).toFixed(1)} s`);
      last = now;
    };
  }
}

/** `localhost/rosterhub:1.0` from `<dir>/localhost_rosterhub_1.0.tar` (build-images.sh's naming). */
function imageNameOf(archive: string): string {
  const base = archive.split('/').pop() ?? '';
  const name = base.replace(/\.tar$/, '');
  const tagAt = name.lastIndexOf('_');
  return `${name.slice(0, tagAt).replaceAll('_', '/')}:${name.slice(tagAt + 1)}`;
}
