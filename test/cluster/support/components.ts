import { join } from 'node:path';
import type { Certificates } from './certificates.js';

/** Loopback ports of one control plane. */
export interface ControlPlanePorts {
  etcdClient: number;
  etcdPeer: number;
  apiServer: number;
  controllerManager: number;
  scheduler: number;
}

/** What every component's command line is built from. */
export interface ComponentContext {
  binDir: string;
  dir: string;
  certs: Certificates;
  ports: ControlPlanePorts;
  /** Admin kubeconfig (system:masters) that KCM, the scheduler and kwok use. */
  kubeconfig: string;
  kwokStages: string;
  /** Repository root: the volume provisioner and the test-only kwok stages live in test/cluster/support/. */
  repoRoot: string;
}

/** One component's program and flags. */
export interface ComponentCommand {
  name: string;
  command: string;
  args: string[];
  /** SIGTERM→SIGKILL grace; only the API server and etcd have state worth a clean stop. */
  graceSeconds: number;
}

/** Annotation that marks the Nodes kwok manages. */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' };

/** Made-up addresses kwok gives its fake Pods and Nodes (nothing answers there). */
export const KWOK_POD_CIDR = '10.244.0.0/16';
export const KWOK_NODE_IP = '10.1.0.1';

/** Service IP range of the cluster (a /16: the Services of a thousand districts fit, see bench/operator-scale.bench.ts); the serving certificate holds its first address. */
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/16';

/** etcd, single member, no fsync (the data lives for one run). */
export function etcd(ctx: ComponentContext): ComponentCommand {
  const client = `http://127.0.0.1:${ctx.ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ctx.ports.etcdPeer}`;
  return {
    name: 'etcd',
    command: join(ctx.binDir, 'etcd'),
    graceSeconds: 5,
    args: [
      '--name=t',
      `--data-dir=${join(ctx.dir, 'etcd')}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=t=${peer}`,
      '--listen-metrics-urls=',
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
  };
}

/**
 * What the API server audits: every write a service account makes (the operator under test),
 * Lease renewals apart, at Metadata level — who wrote which object, never its contents.
 */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    resources: [{ group: coordination.k8s.io, resources: [leases] }]
  - level: Metadata
    userGroups: ['system:serviceaccounts']
    verbs: [create, update, patch, delete, deletecollection]
  - level: None
`;

export const auditPolicyFile = (dir: string) => join(dir, 'audit-policy.yaml');
export const auditLogFile = (dir: string) => join(dir, 'logs', 'audit.log');

/** kube-apiserver: client-certificate authentication, RBAC, default admission plugins (PodSecurity and ServiceAccount included), SA token signing. */
export function apiServer(ctx: ComponentContext): ComponentCommand {
  const { certs } = ctx;
  return {
    name: 'kube-apiserver',
    command: join(ctx.binDir, 'kube-apiserver'),
    graceSeconds: 5,
    args: [
      `--etcd-servers=http://127.0.0.1:${ctx.ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${ctx.ports.apiServer}`,
      `--cert-dir=${join(ctx.dir, 'kube-apiserver')}`,
      `--tls-cert-file=${certs.serverCert}`,
      `--tls-private-key-file=${certs.serverKey}`,
      `--client-ca-file=${certs.caCert}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${certs.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${certs.serviceAccountKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--allow-privileged=true',
      // the real test node's kubelet API (logs, exec, port-forward): dialled at its InternalIP,
      // authenticated as an admin, authorized by the kubelet's webhook
      `--kubelet-client-certificate=${certs.adminCert}`,
      `--kubelet-client-key=${certs.adminKey}`,
      '--kubelet-preferred-address-types=InternalIP,Hostname',
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      `--audit-policy-file=${auditPolicyFile(ctx.dir)}`,
      `--audit-log-path=${auditLogFile(ctx.dir)}`,
      '--audit-log-format=json',
      '--audit-log-maxsize=200',
      '--audit-log-maxbackup=1',
    ],
  };
}

/** kube-controller-manager with every default controller (GC, namespace, SA/token, Deployment, Job, node lifecycle…). */
export function controllerManager(ctx: ComponentContext): ComponentCommand {
  const { certs } = ctx;
  return {
    name: 'kube-controller-manager',
    command: join(ctx.binDir, 'kube-controller-manager'),
    graceSeconds: 3,
    args: [
      `--kubeconfig=${ctx.kubeconfig}`,
      `--authentication-kubeconfig=${ctx.kubeconfig}`,
      `--authorization-kubeconfig=${ctx.kubeconfig}`,
      '--controllers=*',
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${ctx.ports.controllerManager}`,
      `--cert-dir=${join(ctx.dir, 'kube-controller-manager')}`,
      `--root-ca-file=${certs.caCert}`,
      `--service-account-private-key-file=${certs.serviceAccountKey}`,
      `--cluster-signing-cert-file=${certs.caCert}`,
      `--cluster-signing-key-file=${certs.caKey}`,
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      '--kube-api-qps=100',
      '--kube-api-burst=200',
      '--profiling=false',
    ],
  };
}

/** kube-scheduler; kwok only simulates kubelets, so binding Pods to Nodes is the scheduler's job. */
export function scheduler(ctx: ComponentContext): ComponentCommand {
  return {
    name: 'kube-scheduler',
    command: join(ctx.binDir, 'kube-scheduler'),
    graceSeconds: 3,
    args: [
      `--kubeconfig=${ctx.kubeconfig}`,
      `--authentication-kubeconfig=${ctx.kubeconfig}`,
      `--authorization-kubeconfig=${ctx.kubeconfig}`,
      '--leader-elect=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${ctx.ports.scheduler}`,
      `--cert-dir=${join(ctx.dir, 'kube-scheduler')}`,
      '--profiling=false',
    ],
  };
}

const supportDir = (ctx: ComponentContext): string => join(ctx.repoRoot, 'test', 'cluster', 'support');

/**
 * The test volume provisioner (volume-provisioner.ts, run from source by Node.js): StorageClass
 * `standard`, and a hostPath PersistentVolume under `<dir>/volumes` for each of its claims.
 */
export function volumeProvisioner(ctx: ComponentContext): ComponentCommand {
  return {
    name: 'volume-provisioner',
    command: process.execPath,
    graceSeconds: 1,
    args: [
      '--no-warnings',
      '--import',
      join(supportDir(ctx), 'typescript-imports.ts'),
      join(supportDir(ctx), 'volume-provisioner.ts'),
      ctx.kubeconfig,
      join(ctx.dir, 'volumes'),
    ],
  };
}

/** kwok: plays kubelet for the annotated fake Nodes and their Pods (stages: Ready, Job Pods complete, deletion; plus the
 * test-only stages of kwok-test-stages.yaml). */
export function kwok(ctx: ComponentContext): ComponentCommand {
  return {
    name: 'kwok',
    command: join(ctx.binDir, 'kwok'),
    graceSeconds: 3,
    args: [
      `--kubeconfig=${ctx.kubeconfig}`,
      `--config=${ctx.kwokStages}`,
      `--config=${join(supportDir(ctx), 'kwok-test-stages.yaml')}`,
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
      `--cidr=${KWOK_POD_CIDR}`,
      `--node-ip=${KWOK_NODE_IP}`,
      '--node-lease-duration-seconds=40',
    ],
  };
}
