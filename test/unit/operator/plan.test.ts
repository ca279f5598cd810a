import { validateInstance, type RosterHubInstance } from '../../../cdk8s/index.js';
import type { KubeObject } from '../../../operator/kube/kube-client.js';
import { planReconcile, type ObservedChildren } from '../../../operator/reconcile/plan.js';

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
    expect(plan.upgrade).toEqual({ state: 'steady' });
    expect(plan.currentVersion).toBe('1.4.2');
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
    expect(plan.currentVersion).toBe('1.5.0');
    expect(deploymentImages(plan.objects)).toEqual([`${IMAGE}:1.5.0`, `${IMAGE}:1.5.0`]);
  });
});
