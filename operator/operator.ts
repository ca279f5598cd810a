import { randomBytes } from 'node:crypto';
import { labelKeys, rosterHubInstanceApi } from '../cdk8s/index.js';
import type { Logger } from '../lib/logging/logger.js';
import { ChildCache } from './children.js';
import type { OperatorConfig } from './config.js';
import { EventRecorder } from './events.js';
import { HealthServer } from './health-server.js';
import { instanceKey } from './instance-key.js';
import { InstanceReconciler, type InstanceObject } from './instance-reconciler.js';
import type { ApiConnection } from './kube/connection.js';
import { KubeClient } from './kube/kube-client.js';
import { Controller } from './runtime/controller.js';
import { Informer } from './runtime/informer.js';
import { EventLoopStalls } from './runtime/event-loop-stalls.js';
import { LeaderElector } from './runtime/leader-election.js';
import { OperatorMetrics } from './runtime/metrics.js';
import { defaultControllerRateLimiter } from './runtime/rate-limiter.js';
import { WorkQueue } from './runtime/work-queue.js';
import type { Phase } from './reconcile/status.js';

const CONTROLLER = 'rosterhubinstance';

/** A change the reconciler must see: spec (generation), labels, annotations or deletion. Not status. */
function worthReconciling(object: InstanceObject, previous: InstanceObject): boolean {
  return (
    object.metadata.generation !== previous.metadata.generation ||
    object.metadata.deletionTimestamp !== previous.metadata.deletionTimestamp ||
    JSON.stringify(object.metadata.annotations ?? {}) !==
      JSON.stringify(previous.metadata.annotations ?? {}) ||
    JSON.stringify(object.metadata.labels ?? {}) !== JSON.stringify(previous.metadata.labels ?? {})
  );
}

/**
 * The operator process: health and metrics server, leader election, informers on
 * RosterHubInstances and their children, the work queue and its workers, and a periodic resync.
 * Only the leader runs informers and workers; `stop()` undoes `start()` in reverse order and
 * closes the connection.
 */
export class Operator {
  readonly metrics = new OperatorMetrics();
  readonly #client: KubeClient;
  readonly #queue: WorkQueue;
  readonly #instances: Informer<InstanceObject>[];
  readonly #children: ChildCache;
  readonly #controller: Controller;
  readonly #elector: LeaderElector | undefined;
  readonly #health: HealthServer;
  #stalls: EventLoopStalls | undefined;
  readonly #phases = new Map<string, Phase>();
  #resync: NodeJS.Timeout | undefined;
  #controllersStarted = false;
  #synced = false;
  #stopping: Promise<void> | undefined;

  constructor(
    connection: ApiConnection,
    private readonly config: OperatorConfig,
    private readonly logger: Logger,
    private readonly onLostLeadership: () => void = () => process.exit(1),
  ) {
    this.#client = new KubeClient(connection);
    const watch = this.#client.watch.bind(this.#client);
    this.metrics.observeInstancePhases(() => this.#phases.values());
    this.#queue = new WorkQueue(defaultControllerRateLimiter(), this.metrics.queueObserver(CONTROLLER));
    const { group, version, plural } = rosterHubInstanceApi;
    const scopes = config.watchNamespaces.length > 0 ? config.watchNamespaces : [undefined];
    this.#instances = scopes.map(
      (namespace) =>
        new Informer<InstanceObject>(watch, {
          resource: plural,
          path: `/apis/${group}/${version}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`,
          list: () =>
            this.#client.list<InstanceObject>(`${group}/${version}`, rosterHubInstanceApi.kind, namespace),
          handlers: {
            added: (object) => this.#queue.add(instanceKey(object.metadata)),
            updated: (object, previous) => {
              if (worthReconciling(object, previous)) this.#queue.add(instanceKey(object.metadata));
            },
            deleted: (object) => {
              this.#queue.forget(instanceKey(object.metadata));
              // One last reconcile finds it gone and drops what was kept about it (its phase too).
              this.#queue.add(instanceKey(object.metadata));
            },
          },
          onRestart: (reason) => this.metrics.watchRestarts.inc({ resource: plural, reason }),
        }),
    );
    this.#children = new ChildCache(
      this.#client,
      config.watchNamespaces,
      {
        changed: (child) => {
          const instance = child.metadata.labels?.[labelKeys.instance];
          if (instance) this.#queue.add(instanceKey({ namespace: child.metadata.namespace, name: instance }));
        },
        watchRestarted: (resource, reason) => this.metrics.watchRestarts.inc({ resource, reason }),
      },
      config.cacheSyncTimeoutSeconds * 1000,
    );
    const reconciler = new InstanceReconciler({
      client: this.#client,
      children: this.#children,
      events: new EventRecorder(this.#client, 'rosterhub-operator', config.identity),
      logger,
      getInstance: (namespace, name) => {
        for (const informer of this.#instances) {
          const found = informer.get(namespace, name);
          if (found) return { ...found, apiVersion: `${group}/${version}`, kind: rosterHubInstanceApi.kind };
        }
        return undefined;
      },
      phaseChanged: (key, phase) => this.#setPhase(key, phase),
    });
    this.#controller = new Controller(
      CONTROLLER,
      this.#queue,
      (key) => reconciler.reconcile(key),
      this.metrics.controllerObserver(CONTROLLER, (key, error, retries) =>
        logger.warn(`reconcile of ${key} failed (retry ${retries + 1})`, { instance: key, error }),
      ),
      config.workers,
    );
    if (config.leaderElect) {
      this.#elector = new LeaderElector(this.#client, {
        namespace: config.leaseNamespace,
        name: config.leaseName,
        identity: `${config.identity}_${randomBytes(4).toString('hex')}`,
        onStartedLeading: () => {
          this.metrics.leader.set({ name: config.leaseName }, 1);
          logger.info('became the leader; starting controllers', {
            lease: `${config.leaseNamespace}/${config.leaseName}`,
          });
          void this.#startControllers();
        },
        onStoppedLeading: (lost) => {
          this.metrics.leader.set({ name: config.leaseName }, 0);
          if (this.#stopping) return;
          logger.error('lost leadership; exiting so that a restart starts clean', {
            ...lost,
            ...(lost && !lost.attempted
              ? {
                  cause:
                    'no renewal could start in time: the event loop was blocked (see the stall warnings)',
                }
              : {}),
          });
          this.onLostLeadership();
        },
        onError: (error) => logger.warn('leader election request failed', { error }),
      });
    }
    this.#health = new HealthServer(
      { live: () => this.#makingProgress(), ready: () => !this.#controllersStarted || this.#synced },
      this.metrics.registry,
    );
  }

  async start(): Promise<number> {
    const address = await this.#health.listen(this.config.healthPort);
    this.logger.info(`operator health and metrics on :${address.port}`, {
      namespaces: this.config.watchNamespaces.length > 0 ? this.config.watchNamespaces : 'all',
    });
    this.#stalls = new EventLoopStalls(({ maxMs, windowMs }) =>
      this.logger.warn(`the event loop was blocked for ${maxMs} ms within ${windowMs} ms`, { maxMs }),
    );
    if (this.#elector) this.#elector.start();
    else await this.#startControllers();
    return address.port;
  }

  async #startControllers(): Promise<void> {
    if (this.#controllersStarted || this.#stopping) return;
    this.#controllersStarted = true;
    try {
      await this.#children.start();
      for (const informer of this.#instances) informer.start();
      await Promise.all(this.#instances.map((informer) => informer.synced));
      this.#synced = true;
      this.#controller.start();
      this.#resync = setInterval(() => this.#resyncAll(), this.config.resyncSeconds * 1000);
      this.#resync.unref();
      const unsynced = this.#children.stuckBuiltInKinds();
      if (unsynced.length > 0) {
        this.logger.error(
          `controllers started, but the caches of ${unsynced.join(', ')} have not synced: reconciles fail until they do`,
        );
      } else this.logger.info('controllers started; caches synced');
    } catch (error) {
      this.logger.error('could not start the controllers', { error });
      this.onLostLeadership();
    }
  }

  /**
   * False once a cache every reconcile needs (RosterHubInstances, a built-in kind) has failed to
   * sync for longer than the sync timeout: a restart (with its backoff) is the honest signal.
   */
  #makingProgress(): boolean {
    const timeoutMs = this.config.cacheSyncTimeoutSeconds * 1000;
    const stuck = [
      ...this.#children.stuckBuiltInKinds(),
      ...(this.#instances.some((informer) => informer.unsyncedForMs() > timeoutMs)
        ? [rosterHubInstanceApi.kind]
        : []),
    ];
    if (stuck.length === 0) return true;
    this.logger.error(`not making progress: the caches of ${stuck.join(', ')} have not synced`, {
      timeoutSeconds: this.config.cacheSyncTimeoutSeconds,
    });
    return false;
  }

  /** Every instance is reconciled now and then without an event, repairing drift. */
  #resyncAll(): void {
    this.#client.refreshDiscovery();
    this.#children
      .watchServedCustomKinds()
      .catch((error: unknown) => this.logger.warn('could not inform on custom kinds', { error }));
    for (const informer of this.#instances) {
      for (const instance of informer.list()) this.#queue.add(instanceKey(instance.metadata), 'low');
    }
  }

  #setPhase(key: string, phase: Phase | undefined): void {
    if (phase === undefined) this.#phases.delete(key);
    else this.#phases.set(key, phase);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#resync) clearInterval(this.#resync);
      const finished = await this.#controller.stop(this.config.shutdownTimeoutSeconds * 1000);
      if (!finished) {
        this.logger.warn(
          `reconciles still running after ${this.config.shutdownTimeoutSeconds} s; releasing the Lease anyway`,
        );
      }
      await Promise.all(this.#instances.map((informer) => informer.stop()));
      await this.#children.stop();
      await this.#elector?.stop();
      await this.#health.close();
      this.#stalls?.stop();
      this.#client.connection.close();
    })();
    return this.#stopping;
  }
}
