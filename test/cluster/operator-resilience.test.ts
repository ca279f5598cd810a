import { readFileSync } from 'node:fs';
import { stopApiServer, waitFor } from './support/cluster.js';
import {
  applyInstance,
  createDistrictNamespace,
  deleteObject,
  districtInstance,
  ensureBuilt,
  getObject,
  instanceSelector,
  listObjects,
  metricValue,
  operatorHttp,
  OperatorProcess,
  patchInstance,
  readInstance,
  readLease,
  replicasOf,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';

const processes: OperatorProcess[] = [];

// Before the suite's hooks: the replicas run the compiled operator.
beforeAll(() => ensureBuilt());

const suite = useOperatorSuite('resilience');

afterEach(async () => {
  for (const process of processes.splice(0)) await process.kill('SIGKILL');
});

/** Objects of the district by kind, name and uid: what "no duplicates" is checked on. */
async function inventory(namespace: string): Promise<Record<string, string[]>> {
  const kinds = [
    ['batch/v1', 'Job'],
    ['apps/v1', 'ReplicaSet'],
    ['apps/v1', 'StatefulSet'],
    ['v1', 'Secret'],
    ['v1', 'PersistentVolumeClaim'],
    ['v1', 'Pod'],
  ] as const;
  const result: Record<string, string[]> = {};
  for (const [apiVersion, kind] of kinds) {
    const objects = await listObjects(apiVersion, kind, namespace, instanceSelector('district'));
    result[kind] = objects
      .filter((object) => !(kind === 'Pod' && (object.status as { phase?: string }).phase === 'Succeeded'))
      .map((object) =>
        kind === 'Pod'
          ? (object.metadata.labels?.['app.kubernetes.io/component'] ?? '')
          : `${object.metadata.name}@${object.metadata.uid}`,
      )
      .sort();
  }
  return result;
}

async function startReplica(name: string, namespace: string): Promise<OperatorProcess> {
  // One Lease per test (named after its namespace), so a test never waits out another's leader.
  const replica = await OperatorProcess.start(
    suite.identity,
    { namespaces: [namespace], leaseName: namespace },
    name,
  );
  processes.push(replica);
  return replica;
}

describe('the operator survives failures', () => {
  it('When kube-apiserver is restarted under a running operator, then its watches recover and it converges on what changed after', async () => {
    const namespace = await createDistrictNamespace('apiserver-restart');
    // Leader election off: an outage longer than the renew deadline would (rightly) end a
    // leader's process; here only the informers and the client are under test.
    const running = await suite.startOperator({ namespaces: [namespace], leaderElect: false });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');
    const restarts = async () =>
      metricValue(
        (await operatorHttp(running.port, '/metrics')).body,
        'rosterhub_operator_watch_restarts_total',
      );
    const before = await restarts();

    const start = await stopApiServer();
    // The operator notices: its watches end and are retried.
    await waitFor(async () => (await restarts()) > before);
    expect((await operatorHttp(running.port, '/healthz')).status).toBe(200);
    await start();

    const changed = await patchInstance(namespace, 'district', { spec: { api: { replicas: 3 } } });
    await deleteObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'district-config', namespace },
    });
    await waitFor(async () => (await replicasOf(namespace, 'district-api')) === 3);
    await waitFor(() => getObject('v1', 'ConfigMap', namespace, 'district-config'));
    const instance = await waitFor(async () => {
      const current = await waitForCondition(namespace, 'district', 'Ready');
      return current.status?.observedGeneration === changed.metadata.generation && current;
    });
    expect(instance.status?.phase).toBe('Ready');
  }, 120_000);

  it('When the operator is killed (SIGKILL) during an install and started again, then it converges with no duplicate objects and no regenerated credentials', async () => {
    const namespace = await createDistrictNamespace('sigkill');
    const first = await startReplica('replica-a', namespace);
    // `kwok-slow`: the migration takes 3 s, a window to kill the operator in.
    await applyInstance(districtInstance('district', namespace, { version: '1.4.2-kwok-slow' }));
    const job = await waitFor(async () => {
      const jobs = await listObjects('batch/v1', 'Job', namespace, instanceSelector('district'));
      return jobs.length === 1 && jobs[0];
    });
    const secretsBefore = await listObjects('v1', 'Secret', namespace, instanceSelector('district'));
    await first.kill('SIGKILL');
    expect(first.exit).toBe('SIGKILL');
    expect(await getObject('apps/v1', 'Deployment', namespace, 'district-api')).toBeUndefined();

    // The new replica waits out the dead one's Lease (15 s), then finishes the install.
    const second = await startReplica('replica-b', namespace);
    await waitForCondition(namespace, 'district', 'Ready');
    expect((await readInstance(namespace, 'district'))?.status?.currentVersion).toBe('1.4.2-kwok-slow');
    const objects = await inventory(namespace);
    expect(objects.Job).toEqual([`${job.metadata.name}@${job.metadata.uid}`]);
    expect(objects.ReplicaSet).toHaveLength(2);
    expect(objects.StatefulSet).toHaveLength(2);
    expect(objects.PersistentVolumeClaim).toHaveLength(3);
    expect(objects.Pod).toEqual(['api', 'api', 'postgres', 'redis', 'worker']);
    expect(objects.Secret).toEqual(
      secretsBefore.map((secret) => `${secret.metadata.name}@${secret.metadata.uid}`).sort(),
    );
    for (const secret of secretsBefore) {
      expect((await getObject('v1', 'Secret', namespace, secret.metadata.name))?.data).toEqual(secret.data);
    }
    // Idle again after a while: a second look at the inventory finds nothing new.
    await waitForCondition(namespace, 'district', 'Ready');
    expect(await inventory(namespace)).toEqual(objects);
    await second.kill('SIGTERM');
    expect(second.exit).toBe(0);
  }, 120_000);

  it('When two operator processes run, then one leads; when the leader is killed, the other takes over and a graceful stop releases the Lease', async () => {
    const namespace = await createDistrictNamespace('failover');
    const replicas: [OperatorProcess, OperatorProcess] = [
      await startReplica('replica-a', namespace),
      await startReplica('replica-b', namespace),
    ];
    const [leader, standby] = await waitFor(async () => {
      const leading = await Promise.all(replicas.map((replica) => replica.isLeader()));
      const ready = await Promise.all(replicas.map((replica) => replica.http('/readyz')));
      if (ready.some((answer) => answer?.status !== 200)) return false;
      if (leading[0] === leading[1]) return false;
      return leading[0] ? replicas : ([replicas[1], replicas[0]] as const);
    });
    const leaderName = leader === replicas[0] ? 'replica-a' : 'replica-b';
    const standbyName = leaderName === 'replica-a' ? 'replica-b' : 'replica-a';
    const lease = await readLease(suite.identity, namespace);
    expect(lease?.holderIdentity?.startsWith(`${leaderName}_`)).toBe(true);

    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');
    const reconciles = async (replica: OperatorProcess) =>
      metricValue((await replica.http('/metrics'))?.body ?? '', 'controller_runtime_reconcile_total');
    expect(await reconciles(leader)).toBeGreaterThan(0);
    expect(await reconciles(standby)).toBe(0);

    await leader.kill('SIGKILL');
    await waitFor(() => standby.isLeader());
    const changed = await patchInstance(namespace, 'district', { spec: { api: { replicas: 3 } } });
    await waitFor(async () => (await replicasOf(namespace, 'district-api')) === 3);
    await waitFor(async () => {
      const instance = await readInstance(namespace, 'district');
      return instance?.status?.observedGeneration === changed.metadata.generation;
    });
    const taken = await readLease(suite.identity, namespace);
    expect(taken?.holderIdentity?.startsWith(`${standbyName}_`)).toBe(true);
    expect(taken?.leaseTransitions).toBeGreaterThanOrEqual(1);

    await standby.kill('SIGTERM');
    expect(standby.exit).toBe(0);
    expect((await readLease(suite.identity, namespace))?.holderIdentity ?? '').toBe('');
  }, 120_000);

  it('When `rosterhub operator` runs on a laptop (a kubeconfig, no leader-election settings), then districts become Ready without preparation', async () => {
    const namespace = await createDistrictNamespace('laptop');
    const laptop = await OperatorProcess.start(
      suite.identity,
      { namespaces: [namespace], asOnALaptop: true },
      'laptop',
    );
    processes.push(laptop);
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');
    expect(readFileSync(laptop.logFile, 'utf8')).toContain(
      'leader election is off: running outside a cluster',
    );
  });
});
