import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError, type KubeClient } from '../kube/kube-client.js';

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** RFC 3339 with microseconds (metav1.MicroTime): the API server rejects milliseconds. */
const microTime = (date = new Date()): string => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

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
  readonly #path: string;
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
    private readonly client: KubeClient,
    private readonly options: LeaderElectionOptions,
  ) {
    this.#path = `/apis/coordination.k8s.io/v1/namespaces/${options.namespace}/leases`;
    this.#leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.#renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.#retryPeriodMs = options.retryPeriodMs ?? 2_000;
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

  /**
   * One try, bounded by the renew deadline: a leader
   * stuck on a hung request must not go on believing it leads.
   */
  async #attempt(): Promise<boolean> {
    const deadline = new AbortController();
    try {
      return await Promise.race([
        this.#tryAcquireOrRenew(),
        sleep(this.#renewDeadlineMs, undefined, { signal: deadline.signal }).then(() => {
          throw new Error(`the Lease request took longer than ${this.#renewDeadlineMs} ms`);
        }),
      ]);
    } catch (error) {
      this.options.onError?.(error);
      return false;
    } finally {
      deadline.abort();
    }
  }

  #read(): Promise<Lease> {
    return this.client.request<Lease>('GET', `${this.#path}/${this.options.name}`);
  }

  #replace(lease: Lease): Promise<Lease> {
    return this.client.request<Lease>('PUT', `${this.#path}/${this.options.name}`, { body: lease });
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = microTime();
    const seconds = Math.ceil(this.#leaseDurationMs / 1000);
    let lease: Lease;
    try {
      lease = await this.#read();
    } catch (error) {
      if (!(error instanceof KubeApiError) || error.code !== 404) throw error;
      const body: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: seconds,
          acquireTime: now,
          renewTime: now,
          leaseTransitions: 0,
        },
      };
      return this.#write(() => this.client.request<Lease>('POST', this.#path, { body }));
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ?? '';
    if (!this.#observed || this.#observed.holder !== holder || this.#observed.renewTime !== renewTime) {
      this.#observed = { holder, renewTime, at: Date.now() };
    }
    const heldByOther = holder !== '' && holder !== identity;
    const leaseMs = (spec.leaseDurationSeconds ?? seconds) * 1000;
    if (heldByOther && this.#observed.at + leaseMs > Date.now()) return false;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: seconds,
      acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1),
    };
    return this.#write(() => this.#replace(lease));
  }

  /** Writes the lease; a conflict (someone else wrote first) means "not us this time". */
  async #write(write: () => Promise<Lease>): Promise<boolean> {
    try {
      const written = await write();
      this.#observed = {
        holder: written.spec?.holderIdentity ?? '',
        renewTime: written.spec?.renewTime ?? '',
        at: Date.now(),
      };
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && (error.code === 409 || error.code === 422)) return false;
      throw error;
    }
  }

  async #release(): Promise<void> {
    const lease = await this.#read();
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    lease.spec.holderIdentity = '';
    lease.spec.leaseDurationSeconds = 1;
    lease.spec.renewTime = microTime();
    await this.#replace(lease);
  }
}
