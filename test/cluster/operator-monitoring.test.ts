// Removes the ServiceMonitor CRD for a while: the cluster project runs in band (one file at a
// time), and the CRD is put back (the same stand-in the cdk8s dry-run test installs) after.
import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  installServiceMonitorCrd,
  SERVICE_MONITOR_CRD,
  servesServiceMonitors,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';

const CRDS = 'apiextensions.k8s.io/v1';

// Registered before the suite's hooks: the CRD is back before the identity goes, as before.
afterAll(() => installServiceMonitorCrd());

const suite = useOperatorSuite('monitoring');

describe('optional CRDs', () => {
  it('When the ServiceMonitor CRD is missing, then MonitoringReady is False (CRDNotInstalled) while everything else reconciles; installing the CRD heals it', async () => {
    await admin().delete({
      apiVersion: CRDS,
      kind: 'CustomResourceDefinition',
      metadata: { name: SERVICE_MONITOR_CRD },
    });
    await waitFor(
      async () => (await getObject(CRDS, 'CustomResourceDefinition', '', SERVICE_MONITOR_CRD)) === undefined,
    );
    await waitFor(async () => !(await servesServiceMonitors()));

    const namespace = await createDistrictNamespace('monitoring');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, { monitoring: { serviceMonitor: { enabled: true } } }),
    );
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    expect(ready.status?.phase).toBe('Ready');
    expect(conditionOf(ready, 'MonitoringReady')).toMatchObject({
      status: 'False',
      reason: 'CRDNotInstalled',
    });
    expect(conditionOf(ready, 'MonitoringReady')?.message).toContain('install the Prometheus Operator CRDs');
    for (const type of [
      'Reconciled',
      'ApiReady',
      'WorkerReady',
      'DatabaseReady',
      'CacheReady',
      'BackupScheduled',
    ]) {
      expect({ type, status: conditionOf(ready, type)?.status }).toEqual({ type, status: 'True' });
    }

    await installServiceMonitorCrd();
    const healed = await waitForCondition(namespace, 'district', 'MonitoringReady', 'True', 'Applied');
    expect(healed.status?.phase).toBe('Ready');
    const monitor = await getObject('monitoring.coreos.com/v1', 'ServiceMonitor', namespace, 'district-api');
    expect(monitor?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'RosterHubInstance',
      name: 'district',
    });
  }, 120_000);
});
