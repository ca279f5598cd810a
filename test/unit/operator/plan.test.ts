import { validateInstance, type RosterHubInstance } from '../../../cdk8s/index.js';
import type { KubeObject } from '../../../operator/kube/kube-client.js';
import {
  deferMigration,
  planReconcile,
  RETRY_MIGRATION_ANNOTATION,
  type ObservedChildren,
} from '../../../operator/reconcile/plan.js';

const IMAGE = 'ghcr.io/rosterhub/rosterhub';

function district(version: string): RosterHubInstance {
  return validateInstance({
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name: 'district', namespace: 'districts' },
    spec: { version },
  });
}

/** What the informers hold: a live migration Job (with server fields) or nothing. */
function observing(job?: { name: string; condition?: 'Complete' | 'Failed' }): ObservedChildren {
  return {
    get: (apiVersion, kind, name) =>
      job && kind === 'Job' && name === job.name
        ? ({
            apiVersion,
            kind,
            metadata: { name, uid: 'job-uid', resourceVersion: '7', managedFields: [{ manager: 'x' }] },
            spec: {},
            status: job.condition ? { conditions: [{ type: job.condition, status: 'True' }] } : { active: 1 },
          } as unknown as KubeObject)
        : undefined,
  };
}

const kinds = (objects: readonly KubeObject[]) => objects.map((object) => object.kind);
const deploymentImages = (objects: readonly KubeObject[]) =>
  objects
    .filter((object) => object.kind === 'Deployment')
    .map(
      (object) =>
        (object.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
          .containers[0]?.image,
    );
const jobs = (objects: readonly KubeObject[]) => objects.filter((object) => object.kind === 'Job');

describe('planReconcile (what to apply, by upgrade state)', () => {
  it('When a district is installed, then only its migration Job runs at first: no Deployments or autoscaler yet', () => {
    const plan = planReconcile(district('1.4.2'), undefined, observing());
    expect(plan.upgrade).toEqual({ state: 'installing', migration: 'absent' });
    expect(jobs(plan.objects).map((job) => job.metadata.name)).toEqual([plan.migrationJob]);
    expect(kinds(plan.objects)).not.toContain('Deployment');
    expect(kinds(plan.objects)).not.toContain('HorizontalPodAutoscaler');
    expect(plan.currentVersion).toBeUndefined();
  });

  it('When the install migration runs, then the live Job is kept from pruning but never applied again', () => {
    const name = planReconcile(district('1.4.2'), undefined, observing()).migrationJob;
    const plan = planReconcile(district('1.4.2'), undefined, observing({ name }));
    expect(jobs(plan.objects)).toEqual([]);
    expect(plan.keep.map((job) => job.metadata.uid)).toEqual(['job-uid']);
  });

  it('When the migration completes, then the Deployments come at that version and the Job is only kept', () => {
    const name = planReconcile(district('1.4.2'), undefined, observing()).migrationJob;
    const plan = planReconcile(district('1.4.2'), undefined, observing({ name, condition: 'Complete' }));
    // Nothing serves until the Deployments are available (computeStatus moves currentVersion).
    expect(plan.upgrade).toEqual({ state: 'rolling', from: undefined });
    expect(plan.currentVersion).toBeUndefined();
    expect(deploymentImages(plan.objects)).toEqual([`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`]);
    expect(jobs(plan.objects)).toEqual([]);
    expect(plan.keep).toHaveLength(1);
  });

  it('When the district is up to date and its Job is gone, then no migration is created again', () => {
    const plan = planReconcile(district('1.4.2'), '1.4.2', observing());
    expect(jobs(plan.objects)).toEqual([]);
    expect(plan.keep).toEqual([]);
  });

  it('When spec.version moves on, then the new version migrates while the Deployments stay at the serving one', () => {
    const plan = planReconcile(district('1.5.0'), '1.4.2', observing());
    expect(plan.upgrade).toEqual({ state: 'migrating', from: '1.4.2', migration: 'absent' });
    expect(plan.currentVersion).toBe('1.4.2');
    expect(deploymentImages(plan.objects)).toEqual([`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`]);
    const [job] = jobs(plan.objects);
    expect(job?.metadata.name).toBe(plan.migrationJob);
    expect(JSON.stringify(job)).toContain(`${IMAGE}:1.5.0`);
  });

  it('When the new version’s migration fails, then the old version keeps serving and the failed Job is kept for its logs', () => {
    const name = planReconcile(district('1.5.0'), '1.4.2', observing()).migrationJob;
    const plan = planReconcile(district('1.5.0'), '1.4.2', observing({ name, condition: 'Failed' }));
    expect(plan.upgrade).toMatchObject({ state: 'failed', from: '1.4.2', job: name });
    expect(plan.currentVersion).toBe('1.4.2');
    expect(deploymentImages(plan.objects)).toEqual([`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`]);
    expect(jobs(plan.objects)).toEqual([]);
    expect(plan.keep.map((job) => job.metadata.name)).toEqual([name]);
  });

  it('When the new version’s migration completes, then the Deployments roll to it', () => {
    const name = planReconcile(district('1.5.0'), '1.4.2', observing()).migrationJob;
    const plan = planReconcile(district('1.5.0'), '1.4.2', observing({ name, condition: 'Complete' }));
    expect(plan.upgrade).toEqual({ state: 'rolling', from: '1.4.2' });
    // 1.4.2 serves (and spec.version may go back to it) until the new Pods are available.
    expect(plan.currentVersion).toBe('1.4.2');
    expect(deploymentImages(plan.objects)).toEqual([`${IMAGE}:1.5.0`, `${IMAGE}:1.5.0`]);
  });

  it('When the database is not ready, then the migration Job is not created yet and the plan says why', () => {
    const plan = deferMigration(
      planReconcile(district('1.5.0'), '1.4.2', observing()),
      'Secret pg is missing',
    );
    expect(jobs(plan.objects)).toEqual([]);
    expect(plan.upgrade).toEqual({
      state: 'waitingForDatabase',
      from: '1.4.2',
      reason: 'Secret pg is missing',
    });
    expect(deploymentImages(plan.objects)).toEqual([`${IMAGE}:1.4.2`, `${IMAGE}:1.4.2`]);
  });

  it('When a migration Job already runs, then a database hiccup does not change the plan', () => {
    const name = planReconcile(district('1.5.0'), '1.4.2', observing()).migrationJob;
    const running = planReconcile(district('1.5.0'), '1.4.2', observing({ name }));
    expect(deferMigration(running, 'StatefulSet restarting')).toBe(running);
  });

  it('When a failed migration is retried (a new annotation value), then the failed Job is retired and its successor carries the value', () => {
    const name = planReconcile(district('1.5.0'), '1.4.2', observing()).migrationJob;
    const failed = observing({ name, condition: 'Failed' });
    const retry = { retryMigration: '1733150000' };
    const retrying = planReconcile(district('1.5.0'), '1.4.2', failed, undefined, retry);
    expect(retrying.upgrade).toMatchObject({ state: 'failed', retrying: true });
    expect(retrying.retire?.metadata.name).toBe(name);
    expect(retrying.keep).toEqual([]);

    const recreated = planReconcile(district('1.5.0'), '1.4.2', observing(), undefined, retry);
    const [job] = jobs(recreated.objects);
    expect(job?.metadata.name).toBe(name);
    expect(job?.metadata.annotations?.[RETRY_MIGRATION_ANNOTATION]).toBe('1733150000');
  });

  it('When a Job that failed already answered the retry value, then it is not retried again', () => {
    const name = planReconcile(district('1.5.0'), '1.4.2', observing()).migrationJob;
    const answered: ObservedChildren = {
      get: (apiVersion, kind, jobName) => {
        const job = observing({ name, condition: 'Failed' }).get(apiVersion, kind, jobName);
        return (
          job && {
            ...job,
            metadata: { ...job.metadata, annotations: { [RETRY_MIGRATION_ANNOTATION]: '1733150000' } },
          }
        );
      },
    };
    const plan = planReconcile(district('1.5.0'), '1.4.2', answered, undefined, {
      retryMigration: '1733150000',
    });
    expect(plan.upgrade).toMatchObject({ state: 'failed', retrying: false });
    expect(plan.retire).toBeUndefined();
    expect(plan.keep.map((job) => job.metadata.name)).toEqual([name]);
  });
});
