import {
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  goldenKindInstance,
  applyInstance,
  instanceSelector,
  listObjects,
  metricValue,
  operatorHttp,
  waitForCondition,
} from './operator-fixtures.js';
import { waitFor } from './support/polling.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { KubeObject } from '../../operator/kube/kube-client.js';

const suite = useOperatorSuite('install');

interface PodLike extends KubeObject {
  spec: { nodeName?: string; containers: { image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const decoded = (secret: KubeObject | undefined, key: string) =>
  Buffer.from((secret?.data as Record<string, string> | undefined)?.[key] ?? '', 'base64').toString();

describe('the operator installs districts', () => {
  it('When the golden kind instance is created, then it becomes Ready with its Pods running on the kwok nodes and every condition explained', async () => {
    const namespace = await createDistrictNamespace('install');
    const running = await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(goldenKindInstance('district-a', namespace));

    const instance = await waitForCondition(namespace, 'district-a', 'Ready');
    expect(instance.status).toMatchObject({
      phase: 'Ready',
      currentVersion: '1.4.2',
      observedGeneration: instance.metadata.generation,
      endpoints: {
        api: `http://district-a-api.${namespace}.svc:80`,
        ingress: 'http://oneroster.district-a.localtest.me',
      },
    });
    const expected: [string, string, string][] = [
      ['Reconciled', 'True', 'ReconcileSucceeded'],
      ['DatabaseReady', 'True', 'Available'],
      ['CacheReady', 'True', 'Available'],
      ['ApiReady', 'True', 'Available'],
      ['WorkerReady', 'True', 'Available'],
      ['BackupScheduled', 'True', 'Scheduled'],
      ['Upgrading', 'False', 'UpToDate'],
      ['Paused', 'False', 'ReconciliationActive'],
    ];
    for (const [type, status, reason] of expected) {
      expect({ type, ...conditionOf(instance, type) }).toMatchObject({ type, status, reason });
    }

    // Pods of every workload run on the fake nodes; the migration Job ran first and completed.
    const pods = (await listObjects('v1', 'Pod', namespace, instanceSelector('district-a'))) as PodLike[];
    const byComponent = (component: string) =>
      pods.filter((pod) => pod.metadata.labels?.['app.kubernetes.io/component'] === component);
    for (const component of ['api', 'worker', 'postgres', 'redis']) {
      expect({ component, count: byComponent(component).length }).toEqual({
        component,
        count: component === 'api' ? 2 : 1,
      });
      for (const pod of byComponent(component)) {
        expect(pod.status?.phase).toBe('Running');
        expect(pod.spec.nodeName).toMatch(/^kwok-node-\d$/);
      }
    }
    expect(byComponent('migration').map((pod) => pod.status?.phase)).toEqual(['Succeeded']);
    expect(byComponent('api')[0]?.spec.containers[0]?.image).toBe('ghcr.io/rosterhub/rosterhub:1.4.2');

    // Volumes bound through the test provisioner; generated credentials exist.
    const claims = await listObjects('v1', 'PersistentVolumeClaim', namespace);
    expect(
      claims.map((claim) => [claim.metadata.name, (claim.status as { phase?: string }).phase]).sort(),
    ).toEqual([
      ['data-district-a-postgres-0', 'Bound'],
      ['data-district-a-redis-0', 'Bound'],
      ['district-a-backups', 'Bound'],
    ]);
    const credentials = await getObject('v1', 'Secret', namespace, 'district-a-postgres-credentials');
    expect(decoded(credentials, 'password')).toMatch(/^[A-Za-z0-9_-]{32}$/);

    // Children belong to the instance (owner reference) and to the operator's field manager,
    // except what deletionPolicy Retain keeps.
    const deployment = await getObject('apps/v1', 'Deployment', namespace, 'district-a-api');
    expect(deployment?.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'RosterHubInstance',
        name: 'district-a',
        uid: instance.metadata.uid,
        controller: true,
      }),
    ]);
    const managers = (deployment?.metadata as { managedFields?: { manager: string; operation: string }[] })
      .managedFields;
    expect(managers).toContainEqual(
      expect.objectContaining({ manager: 'rosterhub-operator', operation: 'Apply' }),
    );
    expect(credentials?.metadata.ownerReferences ?? []).toEqual([]);
    const backups = await getObject('v1', 'PersistentVolumeClaim', namespace, 'district-a-backups');
    expect(backups?.metadata.ownerReferences ?? []).toEqual([]);

    // An Event told the story; metrics counted the reconciles.
    const events = await listObjects('v1', 'Event', namespace);
    expect(
      events.some(
        (event) =>
          (event.involvedObject as { name?: string }).name === 'district-a' &&
          event.reason === 'AllComponentsReady',
      ),
    ).toBe(true);
    const metrics = await operatorHttp(running.port, '/metrics');
    expect(
      metricValue(metrics.body, 'controller_runtime_reconcile_total', { controller: 'rosterhubinstance' }),
    ).toBeGreaterThan(0);
    expect(metricValue(metrics.body, 'rosterhub_instances', { phase: 'Ready' })).toBe(1);
    expect((await operatorHttp(running.port, '/readyz')).status).toBe(200);
  });

  it('When three districts with the same name live in three namespaces, then each gets its own objects and none reaches into another namespace', async () => {
    const namespaces = [
      await createDistrictNamespace('isolated-a'),
      await createDistrictNamespace('isolated-b'),
      await createDistrictNamespace('isolated-c'),
    ];
    await suite.startOperator({ namespaces });
    for (const namespace of namespaces) await applyInstance(districtInstance('district', namespace));
    for (const namespace of namespaces) await waitForCondition(namespace, 'district', 'Ready');

    const passwords = new Set<string>();
    for (const namespace of namespaces) {
      const others = namespaces.filter((other) => other !== namespace);
      const objects: KubeObject[] = [];
      for (const [apiVersion, kind] of [
        ['networking.k8s.io/v1', 'NetworkPolicy'],
        ['v1', 'Secret'],
        ['v1', 'Service'],
        ['v1', 'ConfigMap'],
        ['apps/v1', 'Deployment'],
        ['apps/v1', 'StatefulSet'],
      ] as const) {
        objects.push(...(await listObjects(apiVersion, kind, namespace, instanceSelector('district'))));
      }
      // Nothing of this district names another district's namespace.
      const text = JSON.stringify(objects);
      for (const other of others)
        expect({ namespace, mentions: text.includes(other) }).toEqual({ namespace, mentions: false });

      // NetworkPolicies: default deny for the district's Pods; the only peers outside the
      // namespace are the cluster DNS in kube-system; PostgreSQL and Redis admit only Pods of
      // this district.
      const policies = objects.filter((object) => object.kind === 'NetworkPolicy');
      expect(policies.map((policy) => policy.metadata.name)).toContain('district-default-deny');
      for (const policy of policies) {
        const spec = policy.spec as {
          ingress?: { from?: Record<string, unknown>[] }[];
          egress?: { to?: Record<string, unknown>[] }[];
        };
        const peers = [
          ...(spec.ingress ?? []).flatMap((rule) => rule.from ?? []),
          ...(spec.egress ?? []).flatMap((rule) => rule.to ?? []),
        ];
        for (const peer of peers) {
          if (peer.namespaceSelector) {
            expect(peer.namespaceSelector).toEqual({
              matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
            });
          } else {
            expect(peer.podSelector).toMatchObject({
              matchLabels: { 'app.kubernetes.io/instance': 'district' },
            });
          }
        }
      }

      // Secrets are per namespace, with their own generated values.
      passwords.add(
        decoded(await getObject('v1', 'Secret', namespace, 'district-postgres-credentials'), 'password'),
      );

      // The API Service sends traffic only to this namespace's Pods (the EndpointSlice controller
      // may list the second Pod a moment after the Deployment reports it available).
      const targets = await waitFor(async () => {
        const slices = await listObjects(
          'discovery.k8s.io/v1',
          'EndpointSlice',
          namespace,
          'kubernetes.io/service-name=district-api',
        );
        const listed = slices.flatMap(
          (slice) => (slice.endpoints as { targetRef?: { namespace?: string } }[] | undefined) ?? [],
        );
        return listed.length >= 2 && listed;
      });
      expect(targets.length).toBe(2);
      for (const target of targets) expect(target.targetRef?.namespace).toBe(namespace);
    }
    expect(passwords.size).toBe(3);
  });
});
