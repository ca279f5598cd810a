// BackupScheduled as the backup runs go: a run of the CronJob is a Job it owns, made here the
// way the CronJob controller makes one (kwok completes it, or fails it: `kwok-fail` in the image).
import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import { restrictedPodSpec } from './support/real-node/district-fixtures.js';

const suite = useOperatorSuite('backup-status');

/** A run of the backup CronJob, as its controller creates it. */
async function backupRun(namespace: string, name: string, image: string): Promise<void> {
  const cronJob = await getObject('batch/v1', 'CronJob', namespace, 'district-backup');
  const template = (cronJob?.spec as { jobTemplate: { metadata: { labels: Record<string, string> } } })
    .jobTemplate;
  await admin().create(
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace,
        labels: template.metadata.labels,
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            name: 'district-backup',
            uid: cronJob!.metadata.uid!,
            controller: true,
          },
        ],
      },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { labels: template.metadata.labels },
          spec: restrictedPodSpec({ name: 'backup', image }, { restartPolicy: 'Never' }, false),
        },
      },
    },
    'rosterhub-cluster-tests',
  );
}

describe('backup status', () => {
  it('When a backup run fails, then BackupScheduled turns False naming it and the phase is Degraded; the next success heals it with its time', async () => {
    const namespace = await createDistrictNamespace('backup-status');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    const ready = await waitForCondition(namespace, 'district', 'Ready');
    expect(conditionOf(ready, 'BackupScheduled')).toMatchObject({ status: 'True', reason: 'Scheduled' });
    expect(ready.status?.lastSuccessfulBackup).toBeUndefined();

    await backupRun(namespace, 'district-backup-1', 'ghcr.io/rosterhub/rosterhub:1.4.2-kwok-fail');
    const failing = await waitForCondition(namespace, 'district', 'BackupScheduled', 'False', 'BackupFailed');
    expect(conditionOf(failing, 'BackupScheduled')?.message).toContain(
      'the last backup, Job district-backup-1, failed',
    );
    expect(conditionOf(failing, 'BackupScheduled')?.message).toContain('no backup has succeeded yet');
    expect(failing.status?.phase).toBe('Degraded');
    expect(conditionOf(failing, 'Ready')?.status).toBe('True');

    await backupRun(namespace, 'district-backup-2', 'ghcr.io/rosterhub/rosterhub:1.4.2');
    const healed = await waitForCondition(
      namespace,
      'district',
      'BackupScheduled',
      'True',
      'BackupSucceeded',
    );
    const at = healed.status?.lastSuccessfulBackup;
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(conditionOf(healed, 'BackupScheduled')?.message).toContain(`the last backup succeeded at ${at}`);
    await waitFor(async () => {
      const instance = await waitForCondition(namespace, 'district', 'Ready');
      return instance.status?.phase === 'Ready';
    });
  });
});
