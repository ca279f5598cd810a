// Server-side apply as it is meant: what the operator stops emitting leaves the live object, and
// prune never takes data a person did not ask to delete.
import { waitFor } from './support/cluster.js';
import {
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  installServiceMonitorCrd,
  patchInstance,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';

beforeAll(() => installServiceMonitorCrd());

const suite = useOperatorSuite('apply');

interface IngressSpec {
  tls?: { hosts: string[]; secretName: string }[];
}

describe('server-side apply and pruning', () => {
  it('When the spec stops asking for a field (Ingress TLS, an annotation, a label), then the live objects lose it', async () => {
    const namespace = await createDistrictNamespace('ssa-removal');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, {
        api: {
          ingress: {
            host: 'oneroster.example.org',
            tls: { secretName: 'oneroster-tls' },
            annotations: { 'example.org/team': 'platform' },
          },
        },
        monitoring: {
          serviceMonitor: { enabled: false },
          dashboards: { enabled: true, labels: { grafana_dashboard: '1', 'example.org/team': 'platform' } },
        },
      }),
    );
    await waitForCondition(namespace, 'district', 'Ready');
    const ingress = await getObject('networking.k8s.io/v1', 'Ingress', namespace, 'district-api');
    expect((ingress?.spec as IngressSpec).tls?.[0]?.secretName).toBe('oneroster-tls');
    expect(ingress?.metadata.annotations?.['example.org/team']).toBe('platform');

    await patchInstance(namespace, 'district', {
      spec: {
        api: { ingress: { tls: null, annotations: null } },
        monitoring: { dashboards: { labels: { 'example.org/team': null } } },
      },
    });
    const updated = await waitFor(async () => {
      const live = await getObject('networking.k8s.io/v1', 'Ingress', namespace, 'district-api');
      return (live?.spec as IngressSpec).tls === undefined && live;
    });
    expect(updated.metadata.annotations?.['example.org/team']).toBeUndefined();
    const dashboard = await waitFor(async () => {
      const live = await getObject('v1', 'ConfigMap', namespace, 'district-dashboards');
      return live?.metadata.labels?.['example.org/team'] === undefined && live;
    });
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    expect(ready.status?.endpoints?.ingress).toBe('http://oneroster.example.org');
  });

  it('When backups are disabled under deletionPolicy Delete, then the backup volume and the database credentials stay', async () => {
    const namespace = await createDistrictNamespace('prune-data');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, {
        database: { deletionPolicy: 'Delete' },
        redis: { deletionPolicy: 'Delete' },
      }),
    );
    await waitForCondition(namespace, 'district', 'Ready');
    const volume = await getObject('v1', 'PersistentVolumeClaim', namespace, 'district-backups');
    expect(volume?.metadata.ownerReferences?.[0]?.kind).toBe('RosterHubInstance');

    await patchInstance(namespace, 'district', { spec: { backup: { enabled: false } } });
    // The CronJob is pruned (it holds no data); that is how we know prune ran.
    await waitFor(
      async () => (await getObject('batch/v1', 'CronJob', namespace, 'district-backup')) === undefined,
    );
    await waitForCondition(namespace, 'district', 'Ready');
    const kept = await getObject('v1', 'PersistentVolumeClaim', namespace, 'district-backups');
    expect(kept?.metadata.uid).toBe(volume?.metadata.uid);
    expect(kept?.metadata.deletionTimestamp).toBeUndefined();
    expect(await getObject('v1', 'Secret', namespace, 'district-postgres-credentials')).toBeDefined();
  });

  it('When a ServiceMonitor is turned off while the operator is down, then the next operator prunes it', async () => {
    const namespace = await createDistrictNamespace('prune-restart');
    const first = await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, { monitoring: { serviceMonitor: { enabled: true } } }),
    );
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    expect(conditionOf(ready, 'MonitoringReady')?.reason).toBe('Applied');
    await first.stop();

    await patchInstance(namespace, 'district', {
      spec: { monitoring: { serviceMonitor: { enabled: false } } },
    });
    await suite.startOperator({ namespaces: [namespace] });
    await waitForCondition(namespace, 'district', 'MonitoringReady', 'False', 'Disabled');
    await waitFor(
      async () =>
        (await getObject('monitoring.coreos.com/v1', 'ServiceMonitor', namespace, 'district-api')) ===
        undefined,
    );
    expect((await waitForCondition(namespace, 'district', 'Ready')).status?.phase).toBe('Ready');
  });
});
