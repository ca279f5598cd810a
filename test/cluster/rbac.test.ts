import {
  ApiException,
  AuthenticationV1Api,
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { apiFailure } from './support/api-errors.js';
import {
  adminKubeConfig,
  createTestNamespace,
  kubeconfigFileFor,
  kubeconfigFor,
  waitFor,
} from './support/cluster.js';

const admin = adminKubeConfig();
const core = admin.makeApiClient(CoreV1Api);
const rbac = admin.makeApiClient(RbacAuthorizationV1Api);

/** A namespace with service account `reader`, bound to a Role that may only get and list ConfigMaps. */
async function namespaceWithReader(prefix: string): Promise<string> {
  const namespace = await createTestNamespace(prefix);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reader' } } });
  await rbac.createNamespacedRole({
    namespace,
    body: {
      metadata: { name: 'configmap-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace,
    body: {
      metadata: { name: 'reader-reads-configmaps' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace }],
    },
  });
  await core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: 'settings' }, data: { a: '1' } },
  });
  return namespace;
}

/** Lists ConfigMaps as `kubeConfig`, waiting out the moment before the RBAC authorizer has seen the new binding. */
async function listConfigMapsOnceAllowed(kubeConfig: KubeConfig, namespace: string): Promise<string[]> {
  const asReader = kubeConfig.makeApiClient(CoreV1Api);
  return waitFor(async () => {
    try {
      return (await asReader.listNamespacedConfigMap({ namespace })).items.map(
        (cm) => cm.metadata?.name ?? '',
      );
    } catch (error) {
      if (error instanceof ApiException && error.code === 403) return undefined;
      throw error;
    }
  });
}

describe('service-account kubeconfigs under RBAC', () => {
  it('When a service account is bound to a Role that only reads ConfigMaps, then listing them succeeds and creating one is forbidden (403)', async () => {
    const namespace = await namespaceWithReader('rbac');
    const asReader = await kubeconfigFor(namespace, 'reader');

    const review = await asReader.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${namespace}:reader`);
    expect(await listConfigMapsOnceAllowed(asReader, namespace)).toContain('settings');

    const denied = await apiFailure(
      asReader
        .makeApiClient(CoreV1Api)
        .createNamespacedConfigMap({ namespace, body: { metadata: { name: 'new' } } }),
    );
    expect(denied.code).toBe(403);
    expect(denied.status.reason).toBe('Forbidden');
    expect(denied.status.message).toContain(`system:serviceaccount:${namespace}:reader`);
    const elsewhere = await apiFailure(
      asReader.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: 'default' }),
    );
    expect(elsewhere.code).toBe(403);
  });

  it('When a child process needs the service account, then kubeconfigFileFor writes a standalone kubeconfig file with its token', async () => {
    const namespace = await namespaceWithReader('rbac-file');
    const path = await kubeconfigFileFor(namespace, 'reader');

    const fromFile = new KubeConfig();
    fromFile.loadFromFile(path);
    expect(fromFile.getContextObject(fromFile.getCurrentContext())?.namespace).toBe(namespace);
    expect(fromFile.getCurrentUser()?.certData).toBeUndefined();
    expect(await listConfigMapsOnceAllowed(fromFile, namespace)).toContain('settings');
    const denied = await apiFailure(
      fromFile.makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ name: 'settings', namespace }),
    );
    expect(denied.code).toBe(403);
  });
});
