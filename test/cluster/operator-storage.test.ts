// Growing `storage.size`: the claims grow and the StatefulSet is re-created around its
// immutable claim templates, its Pod running on. The control plane's volume provisioner resizes
// like external-resizer (test/cluster/support/volume-provisioner.ts).
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
  it('When spec.database.storage.size grows, then the claim grows and the StatefulSet is re-created while its Pod keeps running', async () => {
    const namespace = await createDistrictNamespace('storage-grow');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace, { database: { storage: { size: '1Gi' } } }));
    await waitForCondition(namespace, 'district', 'Ready');
    const before = await getObject('apps/v1', 'StatefulSet', namespace, 'district-postgres');
    const pod = await podOf(namespace, 'postgres');
    expect(pod?.metadata.ownerReferences?.[0]?.uid).toBe(before?.metadata.uid);

    await patchInstance(namespace, 'district', { spec: { database: { storage: { size: '2Gi' } } } });
    const claim = await waitFor(async () => {
      const live = (await getObject('v1', 'PersistentVolumeClaim', namespace, 'data-district-postgres-0')) as
        (KubeObject & Claim) | undefined;
      return live?.status?.capacity?.storage === '2Gi' && live;
    });
    expect(claim.spec.resources.requests.storage).toBe('2Gi');
    const after = await waitFor(async () => {
      const live = await getObject('apps/v1', 'StatefulSet', namespace, 'district-postgres');
      return live && live.metadata.uid !== before?.metadata.uid && live;
    });
    expect(claimTemplateSize(after)).toBe('2Gi');
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    expect(conditionOf(ready, 'Reconciled')?.status).toBe('True');
    // The same Pod, adopted by the new StatefulSet: no restart at all.
    const adopted = await waitFor(async () => {
      const live = await podOf(namespace, 'postgres');
      return live?.metadata.ownerReferences?.[0]?.uid === after.metadata.uid && live;
    });
    expect(adopted.metadata.uid).toBe(pod?.metadata.uid);
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
