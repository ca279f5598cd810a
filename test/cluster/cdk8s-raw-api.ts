// Plain-JSON calls to the API server for the cdk8s cluster tests. client-node's
// KubernetesObjectApi serializes built-in kinds through its typed models, which silently drop
// fields whose JSON name differs from the model's (`from` in NetworkPolicy rules,
// `x-kubernetes-validations` in CRDs); a dry-run through it would test less than it claims.
import type { KubeConfig } from '@kubernetes/client-node';
import { request, type RequestOptions } from 'node:https';

/** An API server answer: status, parsed body and the `Warning` headers. */
export interface RawResponse {
  status: number;
  body: { message?: string; [field: string]: unknown };
  warnings: string[];
}

/** A Kubernetes object as JSON. */
export interface RawObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Minimal JSON client over the kubeconfig's credentials, with cached discovery. */
export class RawApi {
  private readonly discovery = new Map<string, Promise<ApiResource[]>>();

  constructor(private readonly kubeConfig: KubeConfig) {}

  /** One HTTP call; the body is sent as JSON (which is also valid YAML for apply patches). */
  async request(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<RawResponse> {
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const options: RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = (options.headers ?? {}) as Record<string, string>;
    if (payload !== undefined) headers['Content-Type'] = contentType;
    options.headers = headers;
    return new Promise((resolve, reject) => {
      const req = request(new URL(path, server), options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const warning = res.headers.warning;
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as RawResponse['body']),
            warnings: warning === undefined ? [] : Array.isArray(warning) ? warning : [warning],
          });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** The collection path of an object's kind (`/apis/apps/v1/namespaces/ns/deployments`). */
  async collectionPath(object: RawObject): Promise<string> {
    const { apiVersion, kind } = object;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let resources = this.discovery.get(base);
    if (!resources) {
      resources = this.request('GET', base).then((response) => {
        if (response.status !== 200) throw new Error(`discovery of ${apiVersion} failed: ${response.status}`);
        return (response.body.resources ?? []) as ApiResource[];
      });
      this.discovery.set(base, resources);
    }
    const resource = (await resources).find(
      (candidate) => candidate.kind === kind && !candidate.name.includes('/'),
    );
    if (!resource) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    const namespace = object.metadata.namespace;
    if (resource.namespaced && !namespace)
      throw new Error(`${kind}/${object.metadata.name} needs a namespace`);
    return resource.namespaced
      ? `${base}/namespaces/${namespace}/${resource.name}`
      : `${base}/${resource.name}`;
  }

  /** Server-side apply with strict field validation, optionally as a dry run. */
  async apply(object: RawObject, options: { dryRun: boolean; fieldManager: string }): Promise<RawResponse> {
    const query = new URLSearchParams({
      fieldManager: options.fieldManager,
      force: 'true',
      fieldValidation: 'Strict',
    });
    if (options.dryRun) query.set('dryRun', 'All');
    const path = `${await this.collectionPath(object)}/${object.metadata.name}?${query.toString()}`;
    return this.request('PATCH', path, object, 'application/apply-patch+yaml');
  }

  /** Create with strict field validation, optionally as a dry run. */
  async create(object: RawObject, options: { dryRun: boolean }): Promise<RawResponse> {
    const query = new URLSearchParams({ fieldValidation: 'Strict' });
    if (options.dryRun) query.set('dryRun', 'All');
    return this.request('POST', `${await this.collectionPath(object)}?${query.toString()}`, object);
  }
}
