// What cluster tests use: the control plane that the cluster project's globalSetup started
// (its admin kubeconfig path is in KUBECONFIG), a namespace per test, and per-service-account
// kubeconfigs so code under test runs with its own RBAC rather than as cluster admin.
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stopComponent } from './component-restart.js';
import { toKubeConfig, writeKubeconfig, type KubeconfigSpec } from './kubeconfig.js';
import { httpsGet } from './network.js';
import { waitFor } from './polling.js';

export { waitFor } from './polling.js';

/** Label on every namespace that createTestNamespace makes. */
export const TEST_NAMESPACE_LABEL = 'rosterhub.io/test-namespace';

/** Lifetime of the service-account tokens kubeconfigFor asks for. */
export const TOKEN_EXPIRATION_SECONDS = 24 * 60 * 60;

function adminKubeconfigPath(): string {
  const path = process.env.KUBECONFIG;
  if (!path) {
    throw new Error(
      'KUBECONFIG is not set: cluster tests run in the jest project "cluster", whose globalSetup ' +
        '(test/cluster/support/global-setup.ts) starts the control plane and exports it',
    );
  }
  return path;
}

/** Cluster-admin (system:masters) access to the test control plane. */
export function adminKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(adminKubeconfigPath());
  return kubeConfig;
}

/**
 * Creates a namespace with a unique name starting with `prefix` (and `labels`), waits until
 * its `default` service account exists (Pods need it), and returns the name.
 */
export async function createTestNamespace(
  prefix: string,
  labels: Record<string, string> = {},
): Promise<string> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  const stem = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  const name = `${stem || 'test'}-${randomBytes(4).toString('hex')}`;
  await core.createNamespace({
    body: { metadata: { name, labels: { ...labels, [TEST_NAMESPACE_LABEL]: 'true' } } },
  });
  await waitFor(async () => {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      throw error;
    }
  });
  return name;
}

async function serviceAccountSpec(namespace: string, serviceAccount: string): Promise<KubeconfigSpec> {
  const admin = adminKubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster?.caData)
    throw new Error(`the admin kubeconfig ${adminKubeconfigPath()} has no cluster CA data`);
  const response = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: serviceAccount,
    namespace,
    body: { spec: { audiences: [], expirationSeconds: TOKEN_EXPIRATION_SECONDS } },
  });
  const token = response.status?.token;
  if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
  return {
    name: `${namespace}-${serviceAccount}`,
    server: cluster.server,
    caData: Buffer.from(cluster.caData, 'base64').toString('utf8'),
    user: { token },
    namespace,
  };
}

/**
 * A kubeconfig that authenticates as service account `namespace/serviceAccount` with a fresh
 * TokenRequest token (its default namespace is `namespace`). The account must exist.
 */
export async function kubeconfigFor(namespace: string, serviceAccount: string): Promise<KubeConfig> {
  return toKubeConfig(await serviceAccountSpec(namespace, serviceAccount));
}

/** Like kubeconfigFor, but writes the kubeconfig to a file (mode 0600) and returns its path, for child processes. */
export async function kubeconfigFileFor(namespace: string, serviceAccount: string): Promise<string> {
  const folder = join(dirname(adminKubeconfigPath()), 'kubeconfigs');
  mkdirSync(folder, { recursive: true });
  const spec = await serviceAccountSpec(namespace, serviceAccount);
  return writeKubeconfig(join(folder, `${spec.name}-${randomBytes(3).toString('hex')}.kubeconfig`), spec);
}

/**
 * Stops kube-apiserver (etcd keeps the data). Returns a function that starts it again on the
 * same port and resolves once its /readyz answers ok. Cluster tests run in band
 * (`--runInBand`), so other test files never see the API server gone.
 */
export async function stopApiServer(): Promise<() => Promise<void>> {
  const admin = adminKubeConfig();
  const cluster = admin.getCurrentCluster();
  if (!cluster?.caData)
    throw new Error(`the admin kubeconfig ${adminKubeconfigPath()} has no cluster CA data`);
  const ca = Buffer.from(cluster.caData, 'base64').toString('utf8');
  const start = await stopComponent(dirname(adminKubeconfigPath()), 'kube-apiserver');
  return async () => {
    start();
    await waitFor(async () => {
      try {
        const { status, body } = await httpsGet(`${cluster.server}/readyz`, { ca });
        return status === 200 && body === 'ok';
      } catch {
        return false; // not listening yet
      }
    });
  };
}
