import type { ApiConnection } from './connection.js';
import { send, streamLines, type HttpMethod } from './http.js';

/** A Kubernetes object as the operator handles it: plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
    finalizers?: string[];
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface KubeList<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

/** A non-2xx answer of the API server, with its HTTP status and `Status.reason`. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface ResourceInfo {
  /** Collection path without namespace, e.g. `/apis/apps/v1` + `deployments`. */
  groupVersionPath: string;
  plural: string;
  namespaced: boolean;
}

/** `Kind (apiVersion)`: how a kind is named in the not-served set and in status messages. */
export const kindLabel = (object: Pick<KubeObject, 'apiVersion' | 'kind'>): string =>
  `${object.kind} (${object.apiVersion})`;

/** The kind is not served by the API server (its CRD is not installed). */
export class KindNotServedError extends Error {
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`${kindLabel({ apiVersion, kind })} is not served by the API server: is its CRD installed?`);
    this.name = 'KindNotServedError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

const REQUEST_TIMEOUT_MS = 30_000;
/** Objects per page of a list (client-go's informers list 500 at a time). */
const LIST_PAGE_SIZE = 500;
const NOT_SERVED_TTL_MS = 10_000;

/**
 * A thin JSON client over the API server: raw objects in and out (no typed models that could
 * drop fields), server-side apply, discovery of kinds to resource paths (cached, refreshed
 * when a kind is unknown).
 */
export class KubeClient {
  readonly #discovery = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();
  /** Kinds found missing, until when: many instances asking for one missing CRD cost one lookup. */
  readonly #notServed = new Map<string, number>();

  constructor(readonly connection: ApiConnection) {}

  #url(path: string, query: Query | undefined): URL {
    const url = new URL(this.connection.server + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  async request<T>(
    method: HttpMethod,
    path: string,
    options: { body?: unknown; contentType?: string; query?: Query; signal?: AbortSignal } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await send(
      this.connection,
      method,
      this.#url(path, options.query),
      headers,
      options.body === undefined ? undefined : JSON.stringify(options.body),
      REQUEST_TIMEOUT_MS,
      options.signal,
    );
    if (response.status < 200 || response.status >= 300) {
      let reason = '';
      let message = response.text;
      try {
        const status = JSON.parse(response.text) as { reason?: string; message?: string };
        reason = status.reason ?? '';
        message = status.message ?? response.text;
      } catch {
        // not a Status object
      }
      throw new KubeApiError(response.status, reason, `${method} ${path}: ${response.status} ${message}`);
    }
    return (response.text === '' ? undefined : JSON.parse(response.text)) as T;
  }

  /**
   * Watches a collection until the server ends the stream or `signal` aborts it; each event's
   * type and object go to `onEvent`. Rejects like `streamLines` (status, broken connection,
   * inactivity).
   */
  watch(
    path: string,
    query: Query,
    onEvent: (type: string, object: unknown) => void,
    options: { signal: AbortSignal; inactivityMs: number },
  ): Promise<void> {
    return streamLines(
      this.connection,
      this.#url(path, { ...query, watch: true }),
      (line) => {
        const event = JSON.parse(line) as { type: string; object: unknown };
        onEvent(event.type, event.object);
      },
      options,
    );
  }

  /** Where a kind lives, or `undefined` when the API server does not serve it. */
  async resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const key = `${kind}.${apiVersion}`;
    if ((this.#notServed.get(key) ?? 0) > Date.now()) return undefined;
    let resources = await this.#groupVersion(apiVersion);
    if (!resources?.has(kind)) {
      this.#discovery.delete(apiVersion);
      resources = await this.#groupVersion(apiVersion);
    }
    const info = resources?.get(kind);
    if (info) this.#notServed.delete(key);
    else this.#notServed.set(key, Date.now() + NOT_SERVED_TTL_MS);
    return info;
  }

  /** Forgets discovery results, so that CRDs installed since are found. */
  refreshDiscovery(): void {
    this.#discovery.clear();
    this.#notServed.clear();
  }

  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const info = await this.resource(apiVersion, kind);
    if (!info) throw new KindNotServedError(apiVersion, kind);
    const scope = info.namespaced && namespace ? `/namespaces/${namespace}` : '';
    return `${info.groupVersionPath}${scope}/${info.plural}`;
  }

  async objectPath(object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    const base = await this.collectionPath(object.apiVersion, object.kind, object.metadata.namespace);
    return `${base}/${object.metadata.name}`;
  }

  async get<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<T | undefined> {
    try {
      return await this.request<T>(
        'GET',
        `${await this.collectionPath(apiVersion, kind, namespace)}/${name}`,
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  /**
   * Every object of a kind, in pages of `pageSize` (`limit`/`continue`, one consistent snapshot)
   * so that a large list costs the API server little at a time. A continue token that expired
   * (410) starts over with one unpaginated list, as client-go's pager does.
   */
  async list<T extends KubeObject>(
    apiVersion: string,
    kind: string,
    namespace?: string,
    labelSelector?: string,
    pageSize = LIST_PAGE_SIZE,
  ): Promise<KubeList<T>> {
    const path = await this.collectionPath(apiVersion, kind, namespace);
    const items: T[] = [];
    let next: string | undefined;
    for (;;) {
      let page: KubeList<T>;
      try {
        page = await this.request<KubeList<T>>('GET', path, {
          query: { labelSelector, limit: pageSize, continue: next },
        });
      } catch (error) {
        if (next !== undefined && error instanceof KubeApiError && error.code === 410) {
          return this.request<KubeList<T>>('GET', path, { query: { labelSelector } });
        }
        throw error;
      }
      items.push(...page.items);
      const token = page.metadata?.continue;
      next = token === undefined || token === '' ? undefined : token;
      if (next === undefined) return { ...page, items };
    }
  }

  /** Server-side apply: creates or updates the fields this manager owns, taking them over if needed. */
  async apply<T extends KubeObject>(
    object: KubeObject,
    fieldManager: string,
    subresource?: 'status',
  ): Promise<T> {
    const path = (await this.objectPath(object)) + (subresource ? `/${subresource}` : '');
    return this.request<T>('PATCH', path, {
      body: object,
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager, force: true },
    });
  }

  async create<T extends KubeObject>(object: KubeObject, fieldManager: string): Promise<T> {
    return this.request<T>(
      'POST',
      await this.collectionPath(object.apiVersion, object.kind, object.metadata.namespace),
      {
        body: object,
        query: { fieldManager },
      },
    );
  }

  async mergePatch<T extends KubeObject>(
    object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    patch: unknown,
    fieldManager: string,
  ): Promise<T> {
    return this.request<T>('PATCH', await this.objectPath(object), {
      body: patch,
      contentType: 'application/merge-patch+json',
      query: { fieldManager },
    });
  }

  /** Deletes the object; an object already gone counts as deleted. */
  async delete(
    object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>,
    propagationPolicy: 'Background' | 'Foreground' | 'Orphan' = 'Background',
  ): Promise<void> {
    try {
      await this.request('DELETE', await this.objectPath(object), { query: { propagationPolicy } });
    } catch (error) {
      if (error instanceof KubeApiError && error.code === 404) return;
      throw error;
    }
  }

  #groupVersion(apiVersion: string): Promise<Map<string, ResourceInfo> | undefined> {
    let pending = this.#discovery.get(apiVersion);
    if (!pending) {
      const groupVersionPath = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      pending = this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>(
        'GET',
        groupVersionPath,
      ).then(
        (list) =>
          new Map(
            list.resources
              .filter((resource) => !resource.name.includes('/'))
              .map(
                (resource) =>
                  [
                    resource.kind,
                    { groupVersionPath, plural: resource.name, namespaced: resource.namespaced },
                  ] as const,
              ),
          ),
        (error: unknown) => {
          this.#discovery.delete(apiVersion);
          if (error instanceof KubeApiError && error.code === 404) return undefined;
          throw error;
        },
      );
      this.#discovery.set(apiVersion, pending);
    }
    return pending;
  }
}
