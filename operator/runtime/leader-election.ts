import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiException,
  CoordinationV1Api,
  V1MicroTime,
  type KubeConfig,
  type V1Lease,
} from '@kubernetes/client-node';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per process, e.g. the pod name plus a random suffix. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /** Leadership was lost (could not renew in time) or released. */
  onStoppedLeading: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Lease-based leader election with client-go's semantics (15 s lease, 10 s renew deadline, 2 s
 * retry). Expiry is judged by the local clock from when this process last saw the record change,
 * so clock skew between nodes does not matter. On stop, a leader releases the lease so that a
 * standby takes over at its next retry instead of waiting for expiry.
 */
export class LeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #observed: { holder: string; renewTime: string; at: number } | undefined;
  #leading = false;
  #stopped = false;
  #loop: Promise<void> | undefined;

  // A method, not the field, so that TypeScript does not narrow a flag that stop() flips
  // while this code awaits.
  #isStopped(): boolean {
    return this.#stopped;
  }

  constructor(
    kubeConfig: KubeConfig,
    private readonly options: LeaderElectionOptions,
  ) {
    this.#api = kubeConfig.makeApiClient(CoordinationV1Api);
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops competing; a leader releases the lease. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    if (this.#leading) {
      await this.#release().catch((error: unknown) => this.options.onError?.(error));
      this.#leading = false;
      this.options.onStoppedLeading();
    }
  }

  async #run(): Promise<void> {
    while (!this.#isStopped()) {
      if (await this.#attempt()) break;
      await sleep(this.#retryPeriodMs);
    }
    if (this.#isStopped()) return;
    this.#leading = true;
    this.options.onStartedLeading();
    let lastRenew = Date.now();
    while (!this.#isStopped()) {
      await sleep(this.#retryPeriodMs);
      if (this.#isStopped()) return;
      if (await this.#attempt()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew > this.#renewDeadlineMs) {
        this.#leading = false;
        this.options.onStoppedLeading();
        return;
      }
    }
  }

  async #attempt(): Promise<boolean> {
    try {
      return await this.#tryAcquireOrRenew();
    } catch (error) {
      this.options.onError?.(error);
      return false;
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = new V1MicroTime();
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 404) throw error;
      const body: V1Lease = {
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      return this.#write(() => this.#api.createNamespacedLease({ namespace, body }));
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ? new Date(spec.renewTime).toISOString() : '';
    if (!this.#observed || this.#observed.holder !== holder || this.#observed.renewTime !== renewTime) {
      this.#observed = { holder, renewTime, at: Date.now() };
    }
    const heldByOther = holder !== '' && holder !== identity;
    const leaseMs = (spec.leaseDurationSeconds ?? Math.ceil(this.#leaseDurationMs / 1000)) * 1000;
    if (heldByOther && this.#observed.at + leaseMs > Date.now()) return false;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(this.#leaseDurationMs / 1000),
      acquireTime: holder === identity && spec.acquireTime ? new V1MicroTime(spec.acquireTime) : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1),
    };
    return this.#write(() => this.#api.replaceNamespacedLease({ name, namespace, body: lease }));
  }

  /** Writes the lease; a conflict (someone else wrote first) means "not us this time". */
  async #write(write: () => Promise<V1Lease>): Promise<boolean> {
    try {
      const written = await write();
      this.#observed = {
        holder: written.spec?.holderIdentity ?? '',
        renewTime: written.spec?.renewTime ? new Date(written.spec.renewTime).toISOString() : '',
        at: Date.now(),
      };
      return true;
    } catch (error) {
      if (error instanceof ApiException && (error.code === 409 || error.code === 422)) return false;
      throw error;
    }
  }

  async #release(): Promise<void> {
    const { namespace, name, identity } = this.options;
    const lease = await this.#api.readNamespacedLease({ name, namespace });
    if (lease.spec?.holderIdentity !== identity) return;
    lease.spec.holderIdentity = '';
    lease.spec.leaseDurationSeconds = 1;
    lease.spec.renewTime = new V1MicroTime();
    await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
  }
}
