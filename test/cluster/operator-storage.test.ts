// Growing `storage.size`: the claims grow and the StatefulSet is re-created around its
// immutable claim templates, its Pod running on. The control plane's volume provisioner resizes
// like external-resizer (test/cluster/support/volume-provisioner.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './support/cluster.js';
import {
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  listObjects,
  patchInstance,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { KubeObject } from '../../operator/kube/kube-client.js';

const suite = useOperatorSuite('storage');

interface Claim {
  spec: { resources: { requests: { storage: string } } };
  status?: { capacity?: { storage?: string } };
}

const claimTemplateSize = (statefulSet: KubeObject | undefined) =>
  (
    statefulSet?.spec as
      { volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[] } | undefined
  )?.volumeClaimTemplates[0]?.spec.resources.requests.storage;

const podOf = async (namespace: string, component: string) =>
  (await listObjects('v1', 'Pod', namespace, `app.kubernetes.io/component=${component}`))[0];

describe('growing volumes', () => {
  it('When storage sizes grow, then the claims grow and the StatefulSets are re-created: Redis keeps its Pod, PostgreSQL restarts at most once (its WAL limits follow the size)', async () => {
    const namespace = await createDistrictNamespace('storage-grow');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, {
        database: { storage: { size: '1Gi' } },
        redis: { storage: { size: '1Gi' } },
      }),
    );
    await waitForCondition(namespace, 'district', 'Ready');
    const before = {
      postgres: await getObject('apps/v1', 'StatefulSet', namespace, 'district-postgres'),
      redis: await getObject('apps/v1', 'StatefulSet', namespace, 'district-redis'),
    };
    const redisPod = await podOf(namespace, 'redis');
    const postgresPods = new Set<string>();
    const watching = { on: true };
    const watchPostgresPods = (async () => {
      while (watching.on) {
        const pod = await podOf(namespace, 'postgres');
        if (pod?.metadata.uid) postgresPods.add(pod.metadata.uid);
        await sleep(100);
      }
    })();

    await patchInstance(namespace, 'district', {
      spec: { database: { storage: { size: '2Gi' } }, redis: { storage: { size: '2Gi' } } },
    });
    for (const component of ['postgres', 'redis'] as const) {
      const claim = await waitFor(async () => {
        const live = (await getObject(
          'v1',
          'PersistentVolumeClaim',
          namespace,
          `data-district-${component}-0`,
        )) as (KubeObject & Claim) | undefined;
        return live?.status?.capacity?.storage === '2Gi' && live;
      });
      expect(claim.spec.resources.requests.storage).toBe('2Gi');
      const after = await waitFor(async () => {
        const live = await getObject('apps/v1', 'StatefulSet', namespace, `district-${component}`);
        return live && live.metadata.uid !== before[component]?.metadata.uid && live;
      });
      expect(claimTemplateSize(after)).toBe('2Gi');
    }
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    watching.on = false;
    await watchPostgresPods;
    expect(conditionOf(ready, 'Reconciled')?.status).toBe('True');
    const redisStatefulSet = await getObject('apps/v1', 'StatefulSet', namespace, 'district-redis');
    const adopted = await waitFor(async () => {
      const live = await podOf(namespace, 'redis');
      return live?.metadata.ownerReferences?.[0]?.uid === redisStatefulSet?.metadata.uid && live;
    });
    expect(adopted.metadata.uid).toBe(redisPod?.metadata.uid);
    expect(postgresPods.size).toBeGreaterThanOrEqual(1);
    expect(postgresPods.size).toBeLessThanOrEqual(2);
  });

  it('When the StorageClass cannot expand volumes, then the instance says so (Reconciled False, VolumeExpansionUnsupported) and keeps serving', async () => {
    const namespace = await createDistrictNamespace('storage-fixed');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, {
        redis: { storage: { size: '1Gi', className: 'fixed-size' } },
      }),
    );
    await waitForCondition(namespace, 'district', 'Ready');
    const before = await getObject('apps/v1', 'StatefulSet', namespace, 'district-redis');

    await patchInstance(namespace, 'district', { spec: { redis: { storage: { size: '2Gi' } } } });
    const refused = await waitForCondition(
      namespace,
      'district',
      'Reconciled',
      'False',
      'VolumeExpansionUnsupported',
    );
    expect(conditionOf(refused, 'Reconciled')?.message).toContain(
      'StorageClass fixed-size does not allow volume expansion (allowVolumeExpansion), so PersistentVolumeClaim data-district-redis-0 keeps its size',
    );
    expect(refused.status?.phase).toBe('Degraded');
    expect(conditionOf(refused, 'CacheReady')?.status).toBe('True');
    const live = await getObject('apps/v1', 'StatefulSet', namespace, 'district-redis');
    expect(live?.metadata.uid).toBe(before?.metadata.uid);
    expect(claimTemplateSize(live)).toBe('1Gi');
  });
});
