import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  instanceSelector,
  listObjects,
  patchInstance,
  readInstance,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { KubeObject } from '../../operator/kube/kube-client.js';

const suite = useOperatorSuite('upgrade');

const IMAGE = 'ghcr.io/rosterhub/rosterhub';

interface JobStatus {
  completionTime?: string;
  conditions?: { type: string; status: string }[];
}

const imageOf = (deployment: KubeObject | undefined) =>
  (deployment?.spec as { template: { spec: { containers: { image: string }[] } } } | undefined)?.template.spec
    .containers[0]?.image;

const migrationJobs = (namespace: string) =>
  listObjects(
    'batch/v1',
    'Job',
    namespace,
    `${instanceSelector('district')},app.kubernetes.io/component=migration`,
  );

/** Every image the API and worker Deployments have, and whether they are fully available. */
async function workloads(namespace: string): Promise<{ images: string[]; available: boolean }> {
  const deployments = await listObjects('apps/v1', 'Deployment', namespace, instanceSelector('district'));
  return {
    images: deployments.map(imageOf).filter((image): image is string => image !== undefined),
    available: deployments.every((deployment) => {
      const status = deployment.status as { availableReplicas?: number; updatedReplicas?: number };
      return (status.availableReplicas ?? 0) >= 1;
    }),
  };
}

describe('the operator upgrades districts', () => {
  it('When spec.version changes, then the migration Job of the new version completes before the Deployments roll to it', async () => {
    const namespace = await createDistrictNamespace('upgrade');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    // `kwok-slow` in the tag: the migration Pod takes 3 s (test/cluster/support/kwok-test-stages.yaml).
    const target = '1.5.0-kwok-slow';
    await patchInstance(namespace, 'district', { spec: { version: target } });

    // While the migration runs, the old version serves.
    const migrating = await waitForCondition(namespace, 'district', 'Upgrading', 'True', 'MigrationRunning');
    expect(migrating.status?.currentVersion).toBe('1.4.2');
    expect(conditionOf(migrating, 'Upgrading')?.message).toContain(`to version ${target}`);
    const [job] = await migrationJobs(namespace);
    expect(imageOf(job)).toBe(`${IMAGE}:${target}`);
    expect(((job!.status ?? {}) as JobStatus).completionTime).toBeUndefined();
    expect(await workloads(namespace)).toEqual({
      images: [`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`],
      available: true,
    });

    const upgraded = await waitForCondition(namespace, 'district', 'Upgrading', 'False', 'UpToDate');
    expect(upgraded.status?.currentVersion).toBe(target);
    await waitForCondition(namespace, 'district', 'Ready');
    expect((await workloads(namespace)).images).toEqual([`${IMAGE}:${target}`, `${IMAGE}:${target}`]);

    // The ReplicaSets of the new version were created no earlier than the Job completed.
    const completed = await waitFor(async () => {
      const jobs = await migrationJobs(namespace);
      return jobs.length === 1 && ((jobs[0]!.status ?? {}) as JobStatus).completionTime;
    });
    const replicaSets = await listObjects('apps/v1', 'ReplicaSet', namespace, instanceSelector('district'));
    const rolled = replicaSets.filter((replicaSet) => imageOf(replicaSet) === `${IMAGE}:${target}`);
    expect(rolled.length).toBe(2);
    for (const replicaSet of rolled) {
      expect(Date.parse(replicaSet.metadata.creationTimestamp!)).toBeGreaterThanOrEqual(
        Date.parse(completed),
      );
    }
    // The old version's migration Job is pruned; only the new one is left.
    expect(
      (await migrationJobs(namespace)).map(
        (jobObject) => jobObject.metadata.labels?.['app.kubernetes.io/version'],
      ),
    ).toEqual([target]);
  });

  it('When the migration of a new version fails, then the old version keeps serving (Upgrading=False, MigrationFailed) until spec.version is set back', async () => {
    const namespace = await createDistrictNamespace('failed-upgrade');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    // `kwok-fail` in the tag: every migration Pod fails (the Job gives up after 4 tries).
    const target = '1.5.0-kwok-fail';
    await patchInstance(namespace, 'district', { spec: { version: target } });
    const failed = await waitForCondition(namespace, 'district', 'Upgrading', 'False', 'MigrationFailed');
    expect(failed.status).toMatchObject({ phase: 'UpgradeFailed', currentVersion: '1.4.2' });
    const message = conditionOf(failed, 'Upgrading')?.message ?? '';
    expect(message).toContain('version 1.4.2 keeps serving');
    expect(message).toContain('set spec.version back to 1.4.2');
    expect(conditionOf(failed, 'Ready')).toMatchObject({ status: 'False' });
    expect(await workloads(namespace)).toEqual({
      images: [`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`],
      available: true,
    });
    const api = await getObject('apps/v1', 'Deployment', namespace, 'district-api');
    expect((api?.status as { availableReplicas?: number }).availableReplicas).toBe(2);

    // Setting the version back is allowed (the failed version never served) and heals it.
    await patchInstance(namespace, 'district', { spec: { version: '1.4.2' } });
    const healed = await waitForCondition(namespace, 'district', 'Upgrading', 'False', 'UpToDate');
    await waitForCondition(namespace, 'district', 'Ready');
    expect(healed.status?.currentVersion).toBe('1.4.2');
    // The failed Job goes; no new migration runs for the version already migrated.
    await waitFor(async () => (await migrationJobs(namespace)).length === 0);
    expect((await readInstance(namespace, 'district'))?.status?.phase).toBe('Ready');
    expect((await workloads(namespace)).images).toEqual([`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`]);

    // Going below the serving version is refused by the API server.
    await expect(patchInstance(namespace, 'district', { spec: { version: '1.4.1' } })).rejects.toThrow(
      'spec.version may not go below status.currentVersion',
    );
  }, 180_000);

  it('When the new version migrates but then crashloops, then currentVersion stays at the old one and spec.version can be set back', async () => {
    const namespace = await createDistrictNamespace('crashloop');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    // `kwok-crash` in the tag: the migration completes, the Deployments' new Pods never get ready.
    const target = '1.5.0-kwok-crash';
    await patchInstance(namespace, 'district', { spec: { version: target } });
    await waitFor(async () => {
      const images = (await workloads(namespace)).images;
      return images.length === 2 && images.every((image) => image === `${IMAGE}:${target}`);
    });
    const rolling = await waitForCondition(namespace, 'district', 'Upgrading', 'True', 'Progressing');
    expect(rolling.status).toMatchObject({ phase: 'Upgrading', currentVersion: '1.4.2' });
    expect(conditionOf(rolling, 'Upgrading')?.message).toContain('version 1.4.2 stays current');

    await patchInstance(namespace, 'district', { spec: { version: '1.4.2' } });
    const back = await waitForCondition(namespace, 'district', 'Ready');
    expect(back.status?.currentVersion).toBe('1.4.2');
    expect((await workloads(namespace)).images).toEqual([`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`]);
  }, 120_000);

  it('When a failed migration is retried by annotation, then the failed Job (kept for its logs until then) is replaced by a new attempt', async () => {
    const namespace = await createDistrictNamespace('retry-migration');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    await patchInstance(namespace, 'district', { spec: { version: '1.5.0-kwok-fail' } });
    const failed = await waitForCondition(namespace, 'district', 'Upgrading', 'False', 'MigrationFailed');
    expect(conditionOf(failed, 'Upgrading')?.message).toContain('rosterhub.io/retry-migration=');
    const [first] = await migrationJobs(namespace);
    // Its Pods stay, so `kubectl logs job/…` works until the next attempt.
    const pods = await listObjects('v1', 'Pod', namespace, `job-name=${first!.metadata.name}`);
    expect(pods.length).toBeGreaterThan(0);

    await patchInstance(namespace, 'district', {
      metadata: { annotations: { 'rosterhub.io/retry-migration': 'attempt-2' } },
    });
    const second = await waitFor(async () => {
      const [job] = await migrationJobs(namespace);
      return job && job.metadata.uid !== first!.metadata.uid && job;
    });
    expect(second.metadata.name).toBe(first!.metadata.name);
    expect(second.metadata.annotations?.['rosterhub.io/retry-migration']).toBe('attempt-2');
    const running = await waitForCondition(namespace, 'district', 'Upgrading', 'True', 'MigrationRunning');
    expect(running.status?.currentVersion).toBe('1.4.2');
    expect((await migrationJobs(namespace)).map((job) => job.metadata.uid)).toEqual([second.metadata.uid]);
  }, 180_000);

  it('When a first install waits for its external database Secret, then no migration Job starts until it is there', async () => {
    const namespace = await createDistrictNamespace('wait-database');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(
      districtInstance('district', namespace, {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
      }),
    );
    const waiting = await waitForCondition(namespace, 'district', 'Upgrading', 'True', 'WaitingForDatabase');
    expect(conditionOf(waiting, 'Upgrading')?.message).toContain('Secret pg');
    expect(waiting.status?.phase).toBe('Installing');
    expect(await migrationJobs(namespace)).toEqual([]);

    const settings = {
      host: 'db.example.org',
      port: '5432',
      username: 'app',
      password: 'pw',
      database: 'roster',
      sslmode: 'require',
    };
    await admin().apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'pg', namespace },
        stringData: settings,
      },
      'rosterhub-cluster-tests',
    );
    await waitFor(async () => (await migrationJobs(namespace)).length === 1);
    await waitForCondition(namespace, 'district', 'Ready');
  }, 120_000);
});
