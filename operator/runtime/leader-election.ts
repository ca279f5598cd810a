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

/** Milliseconds on a monotonic clock: wall-clock steps (NTP, a suspended laptop) do not move it. */
const monotonicNow = (): number => performance.now();

/** client-go's wait.Jitter(retryPeriod, 1.2): spreads replicas' retries apart. */
const jittered = (ms: number): number => ms * (1 + Math.random() * 1.2);

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  /** Unique per process, e.g. the pod name plus a random suffix. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  /**
   * Leadership was lost (could not renew in time) or released. When lost, `lost` says how long
   * it had been since the last successful renewal began, and whether an attempt was even made in
   * that time (none means this process did not get to run: a blocked event loop).
   */
  onStoppedLeading: (lost?: { sinceRenewalMs: number; attempted: boolean }) => void;
  onError?: (error: unknown) => void;
}

/** The Lease cannot be written because its namespace does not exist. */
export class LeaseNamespaceMissingError extends Error {
  constructor(namespace: string) {
    super(
      `the leader-election Lease cannot be created: namespace ${namespace} does not exist. ` +
        'Create it, set LEASE_NAMESPACE to an existing namespace, or run a single replica with LEADER_ELECT=false',
    );
    this.name = 'LeaseNamespaceMissingError';
  }
}

/**
 * Lease-based leader election with client-go's semantics (15 s lease, 10 s renew deadline, 2 s
 * retry). A leader holds the lease for at most the renew deadline past the start of its last
 * successful renewal: the whole renew round, retries included, must succeed by then, and its
 * requests are aborted at that moment. Since no other replica can see a renewal before it was
 * sent, and each waits a full lease duration (longer than the renew deadline) from when it saw
 * the record change, two replicas never lead at once, however slow the API server. Durations
 * come from a monotonic clock and expiry is judged locally, so clock skew between nodes does
 * not matter. On stop, a leader releases the lease so that a standby takes over at its next
 * retry instead of waiting for expiry.
 */
export class LeaderElector {
  readonly #path: string;
  readonly #leaseDurationMs: number;
  readonly #renewDeadlineMs: number;
  readonly #retryPeriodMs: number;
  #observed: { holder: string; renewTime: string; at: number } | undefined;
  #leading = false;
  #stopped = false;
  /** Aborted by stop(): ends a pause between attempts at once. */
  readonly #stopping = new AbortController();
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
    if (this.#renewDeadlineMs >= this.#leaseDurationMs) {
      throw new Error('the renew deadline must be shorter than the lease duration');
    }
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops competing; a leader releases the lease (bounded by the renew deadline). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopping.abort();
    await this.#loop;
    if (this.#leading) {
      this.#leading = false;
      await this.#release().catch((error: unknown) => this.options.onError?.(error));
      this.options.onStoppedLeading();
    }
  }

  async #pause(ms: number): Promise<void> {
    // stop() aborts the wait: that ends it early, it is not a failure
    await sleep(Math.max(0, ms), undefined, { signal: this.#stopping.signal }).catch(() => undefined);
  }

  async #run(): Promise<void> {
    let heldUntil = 0;
    while (!this.#isStopped()) {
      const started = monotonicNow();
      if (await this.#attempt(started + this.#renewDeadlineMs)) {
        heldUntil = started + this.#renewDeadlineMs;
        break;
      }
      await this.#pause(jittered(this.#retryPeriodMs));
    }
    if (this.#isStopped()) return;
    this.#leading = true;
    this.options.onStartedLeading();
    let lastStarted = monotonicNow();
    let renewedAt = lastStarted;
    while (!this.#isStopped()) {
      // Attempts start a retry period apart (not a retry period after the last one ended), so
      // a slow API server eats into the retry period before it eats into the renew deadline.
      await this.#pause(Math.min(lastStarted + this.#retryPeriodMs, heldUntil) - monotonicNow());
      if (this.#isStopped()) return;
      const started = monotonicNow();
      lastStarted = started;
      const attempted = started < heldUntil;
      if (attempted && (await this.#attempt(heldUntil))) {
        heldUntil = started + this.#renewDeadlineMs;
        renewedAt = started;
      } else if (monotonicNow() >= heldUntil) {
        this.#leading = false;
        this.options.onStoppedLeading({ sinceRenewalMs: Math.round(monotonicNow() - renewedAt), attempted });
        return;
      }
    }
  }

  /** One try to acquire or renew, its requests aborted at `deadline` (monotonic ms). */
  async #attempt(deadline: number): Promise<boolean> {
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new Error(`the Lease request did not finish within the renew deadline`)),
      Math.max(0, deadline - monotonicNow()),
    );
    try {
      return await this.#tryAcquireOrRenew(abort.signal);
    } catch (error) {
      if (!this.#isStopped()) this.options.onError?.(error);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  #read(signal: AbortSignal): Promise<Lease> {
    return this.client.request<Lease>('GET', `${this.#path}/${this.options.name}`, { signal });
  }

  #replace(lease: Lease, signal: AbortSignal): Promise<Lease> {
    return this.client.request<Lease>('PUT', `${this.#path}/${this.options.name}`, { body: lease, signal });
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { namespace, name, identity } = this.options;
    const now = microTime();
    const seconds = Math.ceil(this.#leaseDurationMs / 1000);
    let lease: Lease;
    try {
      lease = await this.#read(signal);
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
      return this.#write(async () => {
        try {
          return await this.client.request<Lease>('POST', this.#path, { body, signal });
        } catch (createError) {
          if (createError instanceof KubeApiError && createError.code === 404) {
            throw new LeaseNamespaceMissingError(namespace);
          }
          throw createError;
        }
      });
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ?? '';
    if (!this.#observed || this.#observed.holder !== holder || this.#observed.renewTime !== renewTime) {
      this.#observed = { holder, renewTime, at: monotonicNow() };
    }
    const heldByOther = holder !== '' && holder !== identity;
    const leaseMs = (spec.leaseDurationSeconds ?? seconds) * 1000;
    if (heldByOther && this.#observed.at + leaseMs > monotonicNow()) return false;
    lease.spec = {
      holderIdentity: identity,
      leaseDurationSeconds: seconds,
      acquireTime: holder === identity && spec.acquireTime ? spec.acquireTime : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === identity ? 0 : 1),
    };
    return this.#write(() => this.#replace(lease, signal));
  }

  /** Writes the lease; a conflict (someone else wrote first) means "not us this time". */
  async #write(write: () => Promise<Lease>): Promise<boolean> {
    try {
      const written = await write();
      this.#observed = {
        holder: written.spec?.holderIdentity ?? '',
        renewTime: written.spec?.renewTime ?? '',
        at: monotonicNow(),
      };
      return true;
    } catch (error) {
      if (error instanceof KubeApiError && (error.code === 409 || error.code === 422)) return false;
      throw error;
    }
  }

  async #release(): Promise<void> {
    const signal = AbortSignal.timeout(this.#renewDeadlineMs);
    const lease = await this.#read(signal);
    if (lease.spec?.holderIdentity !== this.options.identity) return;
    lease.spec.holderIdentity = '';
    lease.spec.leaseDurationSeconds = 1;
    lease.spec.renewTime = microTime();
    await this.#replace(lease, signal);
  }
}
