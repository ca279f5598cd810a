import { setTimeout as sleep } from 'node:timers/promises';
import { adminKubeConfig, waitFor } from './support/cluster.js';
import { WriteCounter } from './support/write-counter.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  deleteObject,
  districtInstance,
  getObject,
  goldenKindInstance,
  metricValue,
  operatorHttp,
  patchInstance,
  readInstance,
  replicasOf,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';

const suite = useOperatorSuite('reconcile');

/** A Secret as a person or a GitOps repository makes it: without the operator's label. */
function handMadeSecret(namespace: string, name: string, data: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace },
    type: 'Opaque',
    data: Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
    ),
  };
}

const reconciles = async (port: number) =>
  metricValue((await operatorHttp(port, '/metrics')).body, 'controller_runtime_reconcile_total');

describe('the operator keeps districts as specified', () => {
  it('When a child is deleted and another edited by hand, then the operator restores both and leaves fields it does not own alone', async () => {
    const namespace = await createDistrictNamespace('drift');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    const configMap = await getObject('v1', 'ConfigMap', namespace, 'district-config');
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'district-default-deny', namespace },
    };
    await deleteObject(policy);
    await deleteObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'district-config', namespace },
    });
    // kubectl edit: more replicas, another image, and an annotation of the person's own.
    await admin().request('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/district-api`, {
      body: {
        metadata: { annotations: { 'example.org/owner': 'on-call' } },
        spec: {
          replicas: 5,
          template: { spec: { containers: [{ name: 'api', image: 'example.org/hacked:1' }] } },
        },
      },
      contentType: 'application/strategic-merge-patch+json',
      query: { fieldManager: 'kubectl-edit' },
    });

    await waitFor(
      async () =>
        (await getObject('networking.k8s.io/v1', 'NetworkPolicy', namespace, 'district-default-deny')) !==
        undefined,
    );
    const restored = await waitFor(() => getObject('v1', 'ConfigMap', namespace, 'district-config'));
    expect(restored.data).toEqual(configMap?.data);
    const deployment = await waitFor(async () => {
      const live = await getObject('apps/v1', 'Deployment', namespace, 'district-api');
      const spec = live?.spec as {
        replicas: number;
        template: { spec: { containers: { image: string }[] } };
      };
      return (
        spec.replicas === 2 &&
        spec.template.spec.containers[0]?.image === 'ghcr.io/rosterhub/rosterhub:1.4.2' &&
        live
      );
    });
    expect(deployment.metadata.annotations?.['example.org/owner']).toBe('on-call');
    await waitForCondition(namespace, 'district', 'Ready');
  });

  it('When the pause annotation is set, then nothing is applied (spec changes nor repairs) until it is removed', async () => {
    const namespace = await createDistrictNamespace('pause');
    const running = await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    await patchInstance(namespace, 'district', {
      metadata: { annotations: { 'rosterhub.io/reconcile': 'paused' } },
    });
    const paused = await waitForCondition(namespace, 'district', 'Paused', 'True', 'ReconciliationPaused');
    expect(paused.status?.phase).toBe('Paused');
    expect(conditionOf(paused, 'Paused')?.message).toContain('rosterhub.io/reconcile');

    // While paused: a spec change and a deleted child. The operator sees both (it reconciles on
    // the child's deletion) but applies neither, and does not claim to have acted on the new
    // generation (observedGeneration stays, as kstatus and Flux read it).
    const before = await reconciles(running.port);
    const changed = await patchInstance(namespace, 'district', { spec: { api: { replicas: 3 } } });
    await deleteObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'district-config', namespace },
    });
    await waitFor(async () => (await reconciles(running.port)) >= before + 2);
    expect((await readInstance(namespace, 'district'))?.status?.observedGeneration).toBe(
      (changed.metadata.generation ?? 0) - 1,
    );
    expect(await replicasOf(namespace, 'district-api')).toBe(2);
    expect(await getObject('v1', 'ConfigMap', namespace, 'district-config')).toBeUndefined();

    await patchInstance(namespace, 'district', {
      metadata: { annotations: { 'rosterhub.io/reconcile': null } },
    });
    await waitFor(async () => (await replicasOf(namespace, 'district-api')) === 3);
    await waitFor(() => getObject('v1', 'ConfigMap', namespace, 'district-config'));
    const resumed = await waitForCondition(namespace, 'district', 'Ready');
    expect(conditionOf(resumed, 'Paused')).toMatchObject({ status: 'False', reason: 'ReconciliationActive' });
    expect(resumed.status?.phase).toBe('Ready');
  });

  it('When spec.suspend is set, then the district is left as it is (Paused, reason Suspended) and resuming applies what changed meanwhile', async () => {
    const namespace = await createDistrictNamespace('suspend');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    await patchInstance(namespace, 'district', { spec: { suspend: true, api: { replicas: 1 } } });
    const suspended = await waitForCondition(namespace, 'district', 'Paused', 'True', 'Suspended');
    expect(suspended.status?.phase).toBe('Paused');
    expect(await replicasOf(namespace, 'district-api')).toBe(2);

    await patchInstance(namespace, 'district', { spec: { suspend: false } });
    await waitFor(async () => (await replicasOf(namespace, 'district-api')) === 1);
    const resumed = await waitForCondition(namespace, 'district', 'Paused', 'False', 'ReconciliationActive');
    expect(resumed.status?.phase).not.toBe('Paused');
    await waitForCondition(namespace, 'district', 'Ready');
  });

  it('When a person’s external Secret lacks a key, then CacheReady names that key (never a value) until it is added', async () => {
    const namespace = await createDistrictNamespace('secret-keys');
    await suite.startOperator({ namespaces: [namespace] });
    // A Secret a person makes: no operator label, so the operator reads it by name under its role.
    const cache = (data: Record<string, string>) => handMadeSecret(namespace, 'cache', data);
    const settings = { scheme: 'redis', host: 'cache.example.org', port: '6379' };
    await admin().apply(cache({ ...settings, password: '' }), 'rosterhub-cluster-tests');
    await applyInstance(
      districtInstance('district', namespace, {
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      }),
    );
    const lacking = await waitForCondition(
      namespace,
      'district',
      'CacheReady',
      'False',
      'ExternalSecretMissing',
    );
    expect(conditionOf(lacking, 'CacheReady')?.message).toBe(
      'Secret cache (connection to the external Redis server) lacks key password (absent or empty)',
    );
    expect(JSON.stringify(lacking.status)).not.toContain('cache.example.org');

    // The person's fix is no event the operator watches: the 10 s requeue while converging finds it.
    await admin().apply(cache({ ...settings, password: 'cluster-test-key' }), 'rosterhub-cluster-tests');
    const fixed = await waitForCondition(namespace, 'district', 'CacheReady', 'True', 'Available');
    expect(JSON.stringify(fixed.status)).not.toContain('cluster-test-key');
  });

  it('When an external PostgreSQL listens on the port its Secret names (a PgBouncer on 6432), then the app Pods’ egress opens that port', async () => {
    const namespace = await createDistrictNamespace('external-port');
    await suite.startOperator({ namespaces: [namespace] });
    const settings = {
      host: 'pgbouncer.example.org',
      username: 'app',
      password: 'pw',
      database: 'roster',
      sslmode: 'require',
    };
    await admin().apply(
      handMadeSecret(namespace, 'pg', { ...settings, port: '6432' }),
      'rosterhub-cluster-tests',
    );
    await applyInstance(
      districtInstance('district', namespace, {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
      }),
    );
    const egressPorts = async () => {
      const policy = (await getObject(
        'networking.k8s.io/v1',
        'NetworkPolicy',
        namespace,
        'district-allow-postgres-egress',
      )) as { spec: { egress: { ports: { port: number }[] }[] } } | undefined;
      return policy?.spec.egress[0]?.ports.map((p) => p.port);
    };
    expect(await waitFor(async () => (await egressPorts())?.[0] === 6432 && egressPorts())).toEqual([6432]);
  });

  it('When a GitOps user made the Secrets to be generated by hand (no operator label), then they are kept as made, a lacking key is named, and idle is write-free', async () => {
    const namespace = await createDistrictNamespace('gitops-secrets');
    const counter = await WriteCounter.create(
      adminKubeConfig(),
      suite.identity.namespace,
      suite.identity.serviceAccount,
    );
    try {
      const running = await suite.startOperator({ namespaces: [namespace], resyncSeconds: 10 });
      const handMade = (name: string, data: Record<string, string>) => handMadeSecret(namespace, name, data);
      // What a GitOps repository holds (e.g. sealed): the label-selected cache never sees them.
      const postgres = { password: 'pg-value-made-by-a-person' };
      const redisTypo = { passwd: 'redis-value-made-by-a-person' };
      await admin().apply(handMade('district-postgres-credentials', postgres), 'gitops');
      await admin().apply(handMade('district-redis-credentials', redisTypo), 'gitops');
      await applyInstance(districtInstance('district', namespace));

      const lacking = await waitForCondition(
        namespace,
        'district',
        'CacheReady',
        'False',
        'ExternalSecretMissing',
      );
      expect(conditionOf(lacking, 'CacheReady')?.message).toBe(
        'Secret district-redis-credentials (password of the in-cluster Redis) lacks key password (absent or empty)',
      );
      expect(JSON.stringify(lacking.status)).not.toContain('made-by-a-person');

      // The person fixes it (no event the operator watches: the 10 s requeue finds it).
      const redis = { ...redisTypo, password: 'redis-value-made-by-a-person' };
      await admin().apply(handMade('district-redis-credentials', redis), 'gitops');
      await waitForCondition(namespace, 'district', 'Ready');
      // The autoscaler's first evaluation (within 15 s) is the last thing status reports.
      await waitForCondition(namespace, 'district', 'WorkerAutoscaling', 'False', 'MetricsUnavailable');

      // Settle, bounded: before, every reconcile created the Secrets again (409) and requeued.
      for (let last = -1, round = 0; round < 4; round += 1) {
        const { writes } = await counter.counts();
        if (writes === last) break;
        last = writes;
        await sleep(11_000);
      }
      await counter.reset();
      const before = await reconciles(running.port);
      await sleep(21_000);
      const after = await reconciles(running.port);
      expect(after - before).toBeGreaterThanOrEqual(2);
      expect((await counter.counts()).writes).toBe(0);

      // Kept as the person made them: same data, no label, no owner reference.
      for (const [name, data] of [
        ['district-postgres-credentials', postgres],
        ['district-redis-credentials', redis],
      ] as const) {
        const live = await getObject('v1', 'Secret', namespace, name);
        expect(live?.data).toEqual(handMadeSecret(namespace, name, data).data);
        expect(live?.metadata.labels).toBeUndefined();
        expect(live?.metadata.ownerReferences).toBeUndefined();
      }
    } finally {
      await counter.delete();
    }
  }, 150_000);

  it('When districts are Ready and nothing changes, then resyncs reconcile them without a single write request', async () => {
    const namespace = await createDistrictNamespace('idle');
    const counter = await WriteCounter.create(
      adminKubeConfig(),
      suite.identity.namespace,
      suite.identity.serviceAccount,
    );
    try {
      const running = await suite.startOperator({ namespaces: [namespace], resyncSeconds: 10 });
      const names = ['district-a', 'district-b', 'district-c'];
      // The golden example (Ingress, dashboards, ServiceMonitor when its CRD is there) and two small ones.
      await applyInstance(goldenKindInstance('district-a', namespace));
      for (const name of names.slice(1)) await applyInstance(districtInstance(name, namespace));
      for (const name of names) await waitForCondition(namespace, name, 'Ready');
      // The autoscalers' first evaluation (within 15 s) is the last thing status reports.
      for (const name of names) {
        await waitForCondition(namespace, name, 'WorkerAutoscaling', 'False', 'MetricsUnavailable');
      }
      expect((await counter.counts()).writes).toBeGreaterThan(0);

      // Settle: the reconciles that follow the last write find nothing to do.
      for (let last = -1; ;) {
        const { writes } = await counter.counts();
        if (writes === last) break;
        last = writes;
        await sleep(11_000);
      }

      await counter.reset();
      const before = await reconciles(running.port);
      // Two resync periods: every district is reconciled at least twice.
      await sleep(21_000);
      const after = await reconciles(running.port);
      const counts = await counter.counts();
      expect(after - before).toBeGreaterThanOrEqual(names.length * 2);
      expect(counts.writes).toBe(0);
      // The only writes are the leader's Lease renewals (every 2 s).
      expect(counts.leaseWrites).toBeGreaterThan(0);
    } finally {
      await counter.delete();
    }
  }, 120_000);
});
