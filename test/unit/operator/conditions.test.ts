import { validateInstance, type RosterHubInstance } from '../../../cdk8s/index.js';
import { ConditionType, Reason } from '../../../operator/conditions.js';
import type { KubeObject } from '../../../operator/kube/kube-client.js';
import { planReconcile, type ObservedChildren } from '../../../operator/reconcile/plan.js';
import { computeStatus } from '../../../operator/reconcile/status.js';

function district(version: string, spec: Record<string, unknown> = {}): RosterHubInstance {
  return validateInstance({
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name: 'district', namespace: 'districts' },
    spec: { version, ...spec },
  });
}

const deployment = (name: string, available: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, generation: 2 },
  spec: { replicas: 2 },
  status: { observedGeneration: 2, replicas: 2, updatedReplicas: available, availableReplicas: available },
});

const statefulSet = (name: string, status: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, generation: 3 },
  spec: { replicas: 1 },
  status: { observedGeneration: 3, replicas: 1, readyReplicas: 1, updatedReplicas: 1, ...status },
});

const job = (
  name: string,
  owner: string | undefined,
  outcome: 'Complete' | 'Failed',
  at: string,
): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    ...(owner
      ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: owner, uid: 'c' }] }
      : {}),
  },
  status: {
    ...(outcome === 'Complete' ? { completionTime: at } : {}),
    conditions: [
      {
        type: outcome,
        status: 'True',
        lastTransitionTime: at,
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      },
    ],
  },
});

/** A cluster holding exactly these objects (by kind and name). */
function cluster(objects: KubeObject[]): ObservedChildren {
  return {
    get: (apiVersion, kind, name) =>
      objects.find((o) => o.apiVersion === apiVersion && o.kind === kind && o.metadata.name === name),
    list: (apiVersion, kind) => objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind),
  };
}

function statusOf(instance: RosterHubInstance, serving: string | undefined, objects: KubeObject[]) {
  const observed = cluster(objects);
  const plan = planReconcile(instance, serving, observed);
  const status = computeStatus({
    instance,
    generation: 4,
    plan,
    observed,
    notServed: new Set(),
    missingSecrets: [],
  });
  const conditionOf = (type: string) => status.conditions.find((c) => c.type === type);
  return { status, conditionOf, plan };
}

const healthyData = [statefulSet('district-postgres', {}), statefulSet('district-redis', {})];

describe('Upgrading and currentVersion', () => {
  const migrated = (version: string) => {
    const name = planReconcile(district(version), '1.4.2', cluster([])).migrationJob;
    return job(name, undefined, 'Complete', '2026-12-01T10:00:00Z');
  };

  it('When the new version is migrated but its Pods are not available (a crashloop), then currentVersion stays at the old one', () => {
    const objects = [
      ...healthyData,
      migrated('1.5.0'),
      deployment('district-api', 1),
      deployment('district-worker', 2),
    ];
    const { status, conditionOf } = statusOf(district('1.5.0'), '1.4.2', objects);
    expect(status.currentVersion).toBe('1.4.2');
    expect(status.phase).toBe('Upgrading');
    expect(conditionOf(ConditionType.Upgrading)).toMatchObject({
      status: 'True',
      reason: Reason.Progressing,
    });
    expect(conditionOf(ConditionType.Upgrading)?.message).toContain(
      'spec.version may still be set back to it',
    );
  });

  it('When the new version’s Deployments are available, then currentVersion moves to it', () => {
    const objects = [
      ...healthyData,
      migrated('1.5.0'),
      deployment('district-api', 2),
      deployment('district-worker', 2),
    ];
    const { status, conditionOf } = statusOf(district('1.5.0'), '1.4.2', objects);
    expect(status.currentVersion).toBe('1.5.0');
    expect(conditionOf(ConditionType.Upgrading)).toMatchObject({ status: 'False', reason: Reason.UpToDate });
  });
});

describe('DatabaseReady follows StatefulSet revisions', () => {
  it('When PostgreSQL’s StatefulSet rolls to a new revision, then DatabaseReady is False until the Pod runs it', () => {
    const objects = [
      statefulSet('district-postgres', {
        currentRevision: 'district-postgres-a',
        updateRevision: 'district-postgres-b',
      }),
      statefulSet('district-redis', {}),
    ];
    const { conditionOf } = statusOf(district('1.4.2'), '1.4.2', objects);
    expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
      status: 'False',
      message: 'StatefulSet district-postgres is rolling out revision district-postgres-b',
    });
  });

  it('When the StatefulSet has not seen its latest change yet, then DatabaseReady is False', () => {
    const objects = [
      statefulSet('district-postgres', { observedGeneration: 2 }),
      statefulSet('district-redis', {}),
    ];
    const { conditionOf } = statusOf(district('1.4.2'), '1.4.2', objects);
    expect(conditionOf(ConditionType.DatabaseReady)?.status).toBe('False');
  });
});

describe('BackupScheduled reports how backups go', () => {
  const cronJob = (lastSuccessfulTime?: string): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'district-backup' },
    status: lastSuccessfulTime ? { lastSuccessfulTime } : {},
  });

  it('When no backup has run yet, then it is True (Scheduled) and no time is reported', () => {
    const { status, conditionOf } = statusOf(district('1.4.2'), '1.4.2', [...healthyData, cronJob()]);
    expect(conditionOf(ConditionType.BackupScheduled)).toMatchObject({
      status: 'True',
      reason: Reason.Scheduled,
    });
    expect(status.lastSuccessfulBackup).toBeUndefined();
  });

  it('When the last backup succeeded, then it is True with its time, also in status.lastSuccessfulBackup', () => {
    const objects = [
      ...healthyData,
      cronJob('2026-12-01T02:00:41Z'),
      job('district-backup-1', 'district-backup', 'Complete', '2026-12-01T02:00:41Z'),
    ];
    const { status, conditionOf } = statusOf(district('1.4.2'), '1.4.2', objects);
    expect(conditionOf(ConditionType.BackupScheduled)).toMatchObject({
      status: 'True',
      reason: Reason.BackupSucceeded,
      message: 'the last backup succeeded at 2026-12-01T02:00:41Z; CronJob district-backup runs "0 2 * * *"',
    });
    expect(status.lastSuccessfulBackup).toBe('2026-12-01T02:00:41Z');
  });

  it('When the last backup failed, then it is False naming the Job and the last success', () => {
    const objects = [
      ...healthyData,
      deployment('district-api', 2),
      deployment('district-worker', 2),
      cronJob('2026-11-30T02:00:40Z'),
      job('district-backup-1', 'district-backup', 'Complete', '2026-11-30T02:00:40Z'),
      job('district-backup-2', 'district-backup', 'Failed', '2026-12-01T02:03:00Z'),
      job('another-job', undefined, 'Complete', '2026-12-01T05:00:00Z'),
    ];
    const { status, conditionOf } = statusOf(district('1.4.2'), '1.4.2', objects);
    expect(conditionOf(ConditionType.BackupScheduled)).toMatchObject({
      status: 'False',
      reason: Reason.BackupFailed,
      message:
        'the last backup, Job district-backup-2, failed (BackoffLimitExceeded: Job has reached the specified backoff limit); the last successful backup was at 2026-11-30T02:00:40Z. Read its logs (kubectl logs job/district-backup-2)',
    });
    expect(status.lastSuccessfulBackup).toBe('2026-11-30T02:00:40Z');
    expect(status.phase).toBe('Degraded');
  });
});
