// The operator's own API client against the real API server.
import { connectionFromKubeConfig } from '../../operator/kube/connection.js';
import { KubeClient } from '../../operator/kube/kube-client.js';
import { adminKubeConfig, createTestNamespace } from './support/cluster.js';

/** A client that records the query of every request it sends. */
class RecordingClient extends KubeClient {
  readonly queries: Record<string, unknown>[] = [];
  override request<T>(...args: Parameters<KubeClient['request']>): Promise<T> {
    this.queries.push({ ...args[2]?.query });
    return super.request<T>(...args);
  }
}

describe('KubeClient', () => {
  it('When a list is longer than a page, then it is read page by page (limit, continue) and comes back whole', async () => {
    const namespace = await createTestNamespace('paging');
    const client = new RecordingClient(connectionFromKubeConfig(adminKubeConfig()));
    for (let i = 0; i < 5; i += 1) {
      await client.create(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `item-${i}`, namespace, labels: { paged: 'yes' } },
        },
        'rosterhub-cluster-tests',
      );
    }
    client.queries.length = 0;
    const list = await client.list('v1', 'ConfigMap', namespace, 'paged=yes', 2);
    expect(list.items.map((item) => item.metadata.name).sort()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `item-${i}`),
    );
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(list.metadata?.continue).toBeUndefined();
    expect(client.queries.map((query) => query.limit)).toEqual([2, 2, 2]);
    expect(client.queries.filter((query) => query.continue !== undefined)).toHaveLength(2);
    client.connection.close();
  });
});
