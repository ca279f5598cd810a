import { CoreV1Api, KubeConfig, StorageV1Api } from '@kubernetes/client-node';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCertificates } from './certificates.js';
import * as components from './components.js';
import type { ComponentCommand, ComponentContext } from './components.js';
import { createFakeNodes, unreadyNodes } from './fake-nodes.js';
import { writeKubeconfig } from './kubeconfig.js';
import { freePorts, httpsGet } from './network.js';
import { stopProcessGroup, SupervisedProcess, tailFile } from './processes.js';
import { kwokStagesFile } from './testbin.js';
import { STORAGE_CLASS } from './volume-provisioner.js';

/** How to start a control plane. */
export interface ControlPlaneOptions {
  /** Folder with etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok. */
  binDir: string;
  /** Repository root (for the shipped kwok stages when binDir has none). */
  repoRoot: string;
  /** Working folder: certificates, kubeconfig, etcd data, logs and state.json. */
  dir: string;
  /** Number of fake Nodes (default 3). */
  nodes?: number;
  /** Stop every component when this Node.js process ends, however it ends (jest); false for `make cluster-up`. */
  tiedToThisProcess: boolean;
  /** Receives one line per start-up step. */
  progress?: (message: string) => void;
}

/** What a control plane records in `<dir>/state.json`, enough to find and stop it from another process. */
export interface ControlPlaneState {
  dir: string;
  /** Admin (system:masters) kubeconfig. */
  kubeconfig: string;
  server: string;
  /** The process the components are tied to, or null when they outlive their starter. */
  ownerPid: number | null;
  startupSeconds: number | null;
  /** In start order; each pid is also the component's process group. */
  components: ComponentRecord[];
}

/** One running component, with what it takes to start it again (component-restart.ts). */
export interface ComponentRecord {
  name: string;
  pid: number;
  logFile: string;
  graceSeconds: number;
  command?: string;
  args?: string[];
}

/** Start-up failed; the message names the failing step, every log file and the failing component's log tail. */
export class ControlPlaneStartError extends Error {
  override readonly name = 'ControlPlaneStartError';
}

const STARTUP_STEP_TIMEOUT_MS = 120_000;
const LOG_TAIL_LINES = 40;

/** etcd → kube-apiserver → kube-controller-manager, kube-scheduler, kwok → Ready fake Nodes. */
export class ControlPlane {
  private readonly options: ControlPlaneOptions;
  private readonly processes: SupervisedProcess[] = [];
  private state: ControlPlaneState | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: ControlPlaneOptions) {
    this.options = options;
  }

  /** Starts everything and waits until it works; on failure stops what started and throws. */
  async start(): Promise<ControlPlaneState> {
    if (this.state) throw new Error('this control plane was already started');
    const startedAt = Date.now();
    try {
      await this.startComponents();
      const state = this.requireState();
      state.startupSeconds = (Date.now() - startedAt) / 1000;
      this.saveState();
      return state;
    } catch (error) {
      const report = this.failureReport(error);
      await this.stop();
      throw new ControlPlaneStartError(report, { cause: error });
    }
  }

  /** Stops every component (idempotent); the working folder stays. */
  async stop(): Promise<void> {
    // state.json, not this.state: a component restarted since (component-restart.ts) has a new pid.
    this.stopped ??= this.state
      ? stopControlPlane(readControlPlaneState(this.state.dir) ?? this.state)
      : Promise.resolve();
    return this.stopped;
  }

  private async startComponents(): Promise<void> {
    const { dir, binDir, repoRoot } = this.options;
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const step = this.stepTimer();

    const certs = await createCertificates(dir);
    const [etcdClient, etcdPeer, apiServer, controllerManager, scheduler] = await freePorts(5);
    const ports = {
      etcdClient: etcdClient!,
      etcdPeer: etcdPeer!,
      apiServer: apiServer!,
      controllerManager: controllerManager!,
      scheduler: scheduler!,
    };
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const kubeconfig = await writeKubeconfig(join(dir, 'admin.kubeconfig'), {
      name: 'rosterhub-test',
      server,
      caData: readFileSync(certs.caCert, 'utf8'),
      user: {
        certData: readFileSync(certs.adminCert, 'utf8'),
        keyData: readFileSync(certs.adminKey, 'utf8'),
      },
    });
    this.state = {
      dir,
      kubeconfig,
      server,
      ownerPid: this.options.tiedToThisProcess ? process.pid : null,
      startupSeconds: null,
      components: [],
    };
    this.saveState();
    const ctx: ComponentContext = {
      binDir,
      dir,
      certs,
      ports,
      kubeconfig,
      kwokStages: kwokStagesFile(binDir, repoRoot),
      repoRoot,
    };
    step('certificates and ports');

    this.launch(components.etcd(ctx));
    await this.waitUntil('etcd /health', async () => {
      const response = await fetch(`http://127.0.0.1:${ports.etcdClient}/health`);
      return response.ok && (await response.text()).includes('"health":"true"');
    });
    step('etcd');

    writeFileSync(components.auditPolicyFile(dir), components.AUDIT_POLICY);
    this.launch(components.apiServer(ctx));
    const tls = { ca: readFileSync(certs.caCert, 'utf8') };
    await this.waitUntil('kube-apiserver /readyz', async () => {
      const { status, body } = await httpsGet(`${server}/readyz`, tls);
      return status === 200 && body === 'ok';
    });
    step('kube-apiserver');

    this.launch(components.controllerManager(ctx));
    this.launch(components.scheduler(ctx));
    this.launch(components.kwok(ctx));
    this.launch(components.volumeProvisioner(ctx));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfig);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const storage = kubeConfig.makeApiClient(StorageV1Api);
    const nodes = await createFakeNodes(core, this.options.nodes ?? 3);
    await Promise.all([
      this.waitUntil('kube-controller-manager /healthz', async () => {
        return (await httpsGet(`https://127.0.0.1:${ports.controllerManager}/healthz`, {})).body === 'ok';
      }),
      this.waitUntil('kube-scheduler /healthz', async () => {
        return (await httpsGet(`https://127.0.0.1:${ports.scheduler}/healthz`, {})).body === 'ok';
      }),
      this.waitUntil('service account default/default (made by kube-controller-manager)', async () => {
        await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
        return true;
      }),
      this.waitUntil(`StorageClass ${STORAGE_CLASS} (made by the volume provisioner)`, async () => {
        await storage.readStorageClass({ name: STORAGE_CLASS });
        return true;
      }),
      this.waitUntil(
        `${nodes.length} fake Nodes Ready and untainted (kwok, node lifecycle controller)`,
        async () => {
          return (await unreadyNodes(core, nodes)).length === 0;
        },
      ),
    ]);
    step('controller manager, scheduler, kwok, volume provisioner and Ready nodes');
  }

  private launch(command: ComponentCommand): void {
    const state = this.requireState();
    const logFile = join(state.dir, 'logs', `${command.name}.log`);
    const handle = SupervisedProcess.start({
      ...command,
      cwd: state.dir,
      logFile,
      tiedToThisProcess: this.options.tiedToThisProcess,
    });
    this.processes.push(handle);
    state.components.push({
      name: command.name,
      pid: handle.pid,
      logFile,
      graceSeconds: command.graceSeconds,
      command: command.command,
      args: command.args,
    });
    this.saveState();
  }

  /** Polls `probe` until it returns true; fails early when any component has exited. */
  private async waitUntil(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + STARTUP_STEP_TIMEOUT_MS;
    for (;;) {
      const dead = this.processes.find((p) => p.hasExited);
      if (dead) throw new Error(`${dead.describeExit()} while waiting for ${what}`);
      let failure = '';
      try {
        if (await probe()) return;
      } catch (error) {
        failure = ` (last error: ${error instanceof Error ? error.message : String(error)})`;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${STARTUP_STEP_TIMEOUT_MS / 1000} s waiting for ${what}${failure}`);
      }
      await sleep(100);
    }
  }

  private failureReport(error: unknown): string {
    const lines = [
      `control plane start-up failed: ${error instanceof Error ? error.message : String(error)}`,
    ];
    if (!this.state) return lines[0]!;
    lines.push(`working folder: ${this.state.dir}`, 'component logs:');
    for (const c of this.state.components) lines.push(`  ${c.name}: ${c.logFile}`);
    // The log worth reading: a component that died, else the newest one (the step that hung).
    const culprit = this.processes.find((p) => p.hasExited) ?? this.processes.at(-1);
    if (culprit) {
      lines.push(
        `last ${LOG_TAIL_LINES} lines of ${culprit.spec.logFile}:`,
        tailFile(culprit.spec.logFile, LOG_TAIL_LINES),
      );
    }
    return lines.join('\n');
  }

  private stepTimer(): (name: string) => void {
    let last = Date.now();
    return (name) => {
      const now = Date.now();
      this.options.progress?.(`${name} ready in ${((now - last) / 1000).toFixed(1)} s`);
      last = now;
    };
  }

  private requireState(): ControlPlaneState {
    if (!this.state) throw new Error('the control plane has not been started');
    return this.state;
  }

  private saveState(): void {
    const state = this.requireState();
    writeFileSync(join(state.dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  }
}

/** Reads `<dir>/state.json`, or undefined when there is none. */
export function readControlPlaneState(dir: string): ControlPlaneState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/**
 * Stops the components recorded in `state`: kwok, scheduler and controller manager together,
 * then the API server, then etcd; each group gets SIGTERM, and SIGKILL after its grace period.
 */
export async function stopControlPlane(state: ControlPlaneState): Promise<void> {
  const stop = (c: ComponentRecord): Promise<void> => stopProcessGroup(c.pid, c.graceSeconds * 1000 + 2000);
  const [first, second, ...clients] = state.components;
  await Promise.all(clients.map(stop));
  if (second) await stop(second);
  if (first) await stop(first);
}
