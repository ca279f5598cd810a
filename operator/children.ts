import { labelKeys, managedBy } from '../cdk8s/index.js';
import { Informer, type WatchRestartReason } from './runtime/informer.js';
import type { KubeClient, KubeObject } from './kube/kube-client.js';
import { childKinds } from './child-kinds.js';

export const childSelector = `${labelKeys.managedBy}=${managedBy}`;

const kindKey = (apiVersion: string, kind: string) => `${kind}.${apiVersion}`;

export interface ChildEvents {
  changed(object: KubeObject): void;
  watchRestarted(resource: string, reason: WatchRestartReason): void;
}

/**
 * Label-selected informers on every kind the operator creates, in each watched namespace (or
 * all). Custom resources (ServiceMonitor, cloud claims) get an informer the first time an
 * instance wants one and the API server serves the kind.
 */
export class ChildCache {
  readonly #informers = new Map<string, Informer<KubeObject>[]>();

  constructor(
    private readonly client: KubeClient,
    private readonly namespaces: readonly string[],
    private readonly events: ChildEvents,
  ) {}

  /** Informs on every built-in kind (synced when this resolves) and on each custom kind served. */
  async start(): Promise<void> {
    await Promise.all(
      childKinds.filter((child) => child.builtIn).map(({ apiVersion, kind }) => this.watch(apiVersion, kind)),
    );
    await this.watchServedCustomKinds();
  }

  /**
   * Informs on every custom kind the API server serves now, wanted by an instance or not: what
   * an earlier spec (or an earlier operator process) made must be found to be pruned.
   */
  async watchServedCustomKinds(): Promise<void> {
    await Promise.all(
      childKinds
        .filter((child) => !child.builtIn)
        .map(({ apiVersion, kind }) => this.watch(apiVersion, kind)),
    );
  }

  /** Starts informing on a kind (idempotent); false when the API server does not serve it. */
  async watch(apiVersion: string, kind: string): Promise<boolean> {
    const key = kindKey(apiVersion, kind);
    if (this.#informers.has(key)) return true;
    const info = await this.client.resource(apiVersion, kind);
    if (!info) return false;
    if (this.#informers.has(key)) return true;
    const scopes = info.namespaced && this.namespaces.length > 0 ? this.namespaces : [undefined];
    const informers = scopes.map((namespace) => {
      const path = `${info.groupVersionPath}${namespace ? `/namespaces/${namespace}` : ''}/${info.plural}`;
      const informer = new Informer<KubeObject>(this.client.watch.bind(this.client), {
        resource: info.plural,
        path,
        labelSelector: childSelector,
        list: () =>
          this.client
            .list<KubeObject>(apiVersion, kind, namespace, childSelector)
            .then(withKind(apiVersion, kind)),
        handlers: {
          added: (object) => this.events.changed(withTypeMeta(object, apiVersion, kind)),
          updated: (object) => this.events.changed(withTypeMeta(object, apiVersion, kind)),
          deleted: (object) => this.events.changed(withTypeMeta(object, apiVersion, kind)),
        },
        onRestart: (reason) => this.events.watchRestarted(info.plural, reason),
      });
      informer.start();
      return informer;
    });
    this.#informers.set(key, informers);
    await Promise.all(informers.map((informer) => informer.synced));
    return true;
  }

  isWatched(apiVersion: string, kind: string): boolean {
    return this.#informers.has(kindKey(apiVersion, kind));
  }

  get(apiVersion: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    for (const informer of this.#informers.get(kindKey(apiVersion, kind)) ?? []) {
      const object = informer.get(namespace, name);
      if (object) return withTypeMeta(object, apiVersion, kind);
    }
    return undefined;
  }

  /** Every cached child of one instance of one kind. */
  listOfInstance(apiVersion: string, kind: string, namespace: string, instance: string): KubeObject[] {
    return (this.#informers.get(kindKey(apiVersion, kind)) ?? []).flatMap((informer) =>
      informer
        .list()
        .filter(
          (object) =>
            object.metadata.namespace === namespace &&
            object.metadata.labels?.[labelKeys.instance] === instance,
        )
        .map((object) => withTypeMeta(object, apiVersion, kind)),
    );
  }

  /** Every cached child of one instance, of every watched kind. */
  listForInstance(namespace: string, instance: string): KubeObject[] {
    const result: KubeObject[] = [];
    for (const [key, informers] of this.#informers) {
      const [kind, ...rest] = key.split('.');
      const apiVersion = rest.join('.');
      for (const informer of informers) {
        for (const object of informer.list()) {
          if (
            object.metadata.namespace === namespace &&
            object.metadata.labels?.[labelKeys.instance] === instance
          ) {
            result.push(withTypeMeta(object, apiVersion, kind ?? ''));
          }
        }
      }
    }
    return result;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#informers.values()].flat().map((informer) => informer.stop()));
  }
}

// Lists return items without apiVersion/kind; the reconciler compares and applies typed objects.
function withTypeMeta(object: KubeObject, apiVersion: string, kind: string): KubeObject {
  return object.apiVersion && object.kind ? object : { ...object, apiVersion, kind };
}

function withKind(apiVersion: string, kind: string) {
  return <L extends { items: KubeObject[] }>(list: L): L => ({
    ...list,
    items: list.items.map((item) => withTypeMeta(item, apiVersion, kind)),
  });
}
