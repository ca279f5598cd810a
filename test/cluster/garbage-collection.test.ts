import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { isNotFound } from './support/api-errors.js';
import { adminKubeConfig, createTestNamespace, waitFor } from './support/cluster.js';

const kubeConfig = adminKubeConfig();
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);

/** Resolves to true once `read` answers 404. */
async function isGone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (error) {
    if (isNotFound(error)) return true;
    throw error;
  }
}

async function createWebDeployment(namespace: string, replicas: number): Promise<void> {
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'web' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        },
      },
    },
  });
  await waitFor(async () => {
    const { items } = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    return items.filter((pod) => pod.status?.phase === 'Running').length === replicas;
  });
}

describe('garbage collection and namespace deletion', () => {
  it('When an owner is deleted, then the objects whose ownerReferences name it are garbage-collected and others stay', async () => {
    const namespace = await createTestNamespace('gc-owner');
    const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
    const ownerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid! };
    for (const name of ['child-a', 'child-b']) {
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name, ownerReferences: [ownerReference] } },
      });
    }
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'bystander' } } });

    await core.deleteNamespacedConfigMap({ name: 'owner', namespace, propagationPolicy: 'Background' });

    const remaining = await waitFor(async () => {
      const names = (await core.listNamespacedConfigMap({ namespace })).items.map((cm) => cm.metadata?.name);
      return !names.includes('child-a') && !names.includes('child-b') && names;
    });
    expect(remaining).toContain('bystander');
    expect(remaining).not.toContain('owner');
  });

  it('When a Deployment is deleted in the foreground, then its ReplicaSet and Pods go first and then the Deployment', async () => {
    const namespace = await createTestNamespace('gc-deployment');
    await createWebDeployment(namespace, 2);
    expect((await apps.listNamespacedReplicaSet({ namespace })).items).toHaveLength(1);

    await apps.deleteNamespacedDeployment({ name: 'web', namespace, propagationPolicy: 'Foreground' });

    await waitFor(() => isGone(() => apps.readNamespacedDeployment({ name: 'web', namespace })));
    expect((await apps.listNamespacedReplicaSet({ namespace })).items).toEqual([]);
    expect((await core.listNamespacedPod({ namespace })).items).toEqual([]);
  });

  it('When a namespace holding a Deployment, Pods and ConfigMaps is deleted, then the deletion finishes and the namespace is gone', async () => {
    const namespace = await createTestNamespace('ns-delete');
    await createWebDeployment(namespace, 2);
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'settings' }, data: { a: '1' } },
    });

    await core.deleteNamespace({ name: namespace });
    const terminating = await core.readNamespace({ name: namespace });
    expect(terminating.status?.phase).toBe('Terminating');

    await waitFor(() => isGone(() => core.readNamespace({ name: namespace })));
  });
});
