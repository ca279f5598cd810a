import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';

/** What one request to the API server needs: a keep-alive agent (TLS) and the auth headers. */
export interface RequestOptions {
  agent: http.Agent;
  headers: Record<string, string>;
}

/**
 * Where the API server is and how to authenticate to it. The operator's own loader covers the
 * in-cluster service account and kubeconfigs with tokens or client certificates, over
 * node:https; client-node (80 MiB of resident generated API code) is loaded only for
 * kubeconfigs that need its exec or auth-provider plugins.
 */
export interface ApiConnection {
  /** `https://host:port`, no trailing slash. */
  readonly server: string;
  /** The namespace of the pod's service account, when connected from inside a cluster. */
  readonly podNamespace?: string;
  requestOptions(): Promise<RequestOptions>;
  /** Closes idle sockets. */
  close(): void;
}

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Projected service-account tokens rotate; read the file again this often. */
const TOKEN_REREAD_MS = 60_000;

interface TlsSettings {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  rejectUnauthorized: boolean;
}

function agentFor(server: string, tls: TlsSettings): http.Agent {
  return server.startsWith('https:')
    ? new https.Agent({ keepAlive: true, ...tls })
    : new http.Agent({ keepAlive: true });
}

/** A bearer token (possibly from a file that rotates) or a client certificate. */
class StaticConnection implements ApiConnection {
  readonly #agent: http.Agent;
  readonly #token: (() => string) | undefined;

  constructor(
    readonly server: string,
    tls: TlsSettings,
    token: (() => string) | undefined,
    readonly podNamespace?: string,
  ) {
    this.#agent = agentFor(server, tls);
    this.#token = token;
  }

  requestOptions(): Promise<RequestOptions> {
    const token = this.#token?.();
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    return Promise.resolve({ agent: this.#agent, headers });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function rereadingFile(path: string): () => string {
  let value = '';
  let readAt = 0;
  return () => {
    if (Date.now() - readAt > TOKEN_REREAD_MS) {
      value = readFileSync(path, 'utf8').trim();
      readAt = Date.now();
    }
    return value;
  };
}

/** The pod's service account (KUBERNETES_SERVICE_HOST/PORT, token and CA files). */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env): ApiConnection {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  return new StaticConnection(
    `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    { ca: readFileSync(join(SERVICE_ACCOUNT_DIR, 'ca.crt')), rejectUnauthorized: true },
    rereadingFile(join(SERVICE_ACCOUNT_DIR, 'token')),
    readFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim(),
  );
}

interface KubeconfigFile {
  'current-context'?: string;
  contexts?: { name: string; context: { cluster: string; user: string } }[];
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user?: Record<string, unknown> }[];
}

/** The kubeconfig needs a client-node plugin (exec, auth-provider, basic auth). */
export class UnsupportedKubeconfigError extends Error {
  override readonly name = 'UnsupportedKubeconfigError';
}

/** The current context of a kubeconfig file that authenticates with a token or a client certificate. */
export function kubeconfigConnection(path: string): ApiConnection {
  const document = parse(readFileSync(path, 'utf8')) as KubeconfigFile;
  const contextName = document['current-context'];
  const context = document.contexts?.find((entry) => entry.name === contextName)?.context;
  const cluster = document.clusters?.find((entry) => entry.name === context?.cluster)?.cluster;
  const user = document.users?.find((entry) => entry.name === context?.user)?.user ?? {};
  if (!context || !cluster || typeof cluster.server !== 'string') {
    throw new Error(`${path}: the current context '${contextName ?? ''}' names no cluster with a server`);
  }
  const supported = new Set([
    'token',
    'tokenFile',
    'client-certificate',
    'client-certificate-data',
    'client-key',
    'client-key-data',
  ]);
  const unsupported = Object.keys(user).filter((key) => !supported.has(key));
  if (unsupported.length > 0) throw new UnsupportedKubeconfigError(`${path} uses ${unsupported.join(', ')}`);
  const base = dirname(path);
  const pathOf = (name: unknown): string | undefined =>
    typeof name === 'string' && name !== '' ? (isAbsolute(name) ? name : join(base, name)) : undefined;
  const material = (data: unknown, name: unknown): Buffer | undefined => {
    if (typeof data === 'string') return Buffer.from(data, 'base64');
    const file = pathOf(name);
    return file ? readFileSync(file) : undefined;
  };
  const tls: TlsSettings = { rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true };
  const ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = material(user['client-certificate-data'], user['client-certificate']);
  const key = material(user['client-key-data'], user['client-key']);
  if (ca) tls.ca = ca;
  if (cert) tls.cert = cert;
  if (key) tls.key = key;
  const { token: fixedToken } = user;
  const tokenFile = pathOf(user.tokenFile);
  const token =
    typeof fixedToken === 'string' ? () => fixedToken : tokenFile ? rereadingFile(tokenFile) : undefined;
  return new StaticConnection(cluster.server.replace(/\/$/, ''), tls, token);
}

/** Any client-node KubeConfig (the tests', or one with exec plugins): its TLS and auth per request. */
export function connectionFromKubeConfig(kubeConfig: KubeConfig): ApiConnection {
  const server = (kubeConfig.getCurrentCluster()?.server ?? '').replace(/\/$/, '');
  if (server === '') throw new Error('the kubeconfig has no current cluster');
  let agent: http.Agent | undefined;
  return {
    server,
    async requestOptions() {
      const options: https.RequestOptions = {};
      await kubeConfig.applyToHTTPSOptions(options);
      agent ??= agentFor(server, {
        ...(options.ca ? { ca: options.ca as string | Buffer } : {}),
        ...(options.cert ? { cert: options.cert as string | Buffer } : {}),
        ...(options.key ? { key: options.key as string | Buffer } : {}),
        rejectUnauthorized: options.rejectUnauthorized ?? true,
      });
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(options.headers ?? {})) {
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
      }
      return { agent, headers };
    },
    close() {
      agent?.destroy();
    },
  };
}

/**
 * client-node's order: `KUBECONFIG` (its first file), `~/.kube/config`, then the in-cluster
 * service account. A kubeconfig that needs plugins falls back to client-node.
 */
export async function loadConnection(env: NodeJS.ProcessEnv = process.env): Promise<ApiConnection> {
  const candidates = [
    ...(env.KUBECONFIG ?? '').split(':').filter(Boolean),
    join(env.HOME ?? homedir(), '.kube', 'config'),
  ];
  const path = candidates.find((candidate) => {
    try {
      readFileSync(candidate);
      return true;
    } catch {
      return false;
    }
  });
  if (!path) {
    if (!env.KUBERNETES_SERVICE_HOST) {
      throw new Error(
        'no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a cluster (KUBERNETES_SERVICE_HOST)',
      );
    }
    return inClusterConnection(env);
  }
  try {
    return kubeconfigConnection(path);
  } catch (error) {
    if (!(error instanceof UnsupportedKubeconfigError)) throw error;
    const { KubeConfig } = await import('@kubernetes/client-node');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(path);
    return connectionFromKubeConfig(kubeConfig);
  }
}
