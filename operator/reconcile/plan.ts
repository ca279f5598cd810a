import { synthesizeDistrict, type District, type RosterHubInstance } from '../../cdk8s/index.js';
import type { KubeObject } from '../kube/kube-client.js';
import { jobFailure, jobState, type JobState } from './job-state.js';

/** What the reconciler reads of the cluster while planning. */
export interface ObservedChildren {
  get(apiVersion: string, kind: string, name: string): KubeObject | undefined;
  /** Every cached object of a kind that belongs to the instance. */
  list?(apiVersion: string, kind: string): KubeObject[];
}

export type UpgradePhase =
  | { state: 'steady' }
  /** The migration Job waits until the database is ready (its Secret, its server). */
  | { state: 'waitingForDatabase'; from: string | undefined; reason: string }
  | { state: 'installing'; migration: JobState }
  | { state: 'migrating'; from: string; migration: JobState }
  /** Migrated: the Deployments roll to the target; `from` serves until they are available. */
  | { state: 'rolling'; from: string | undefined }
  | { state: 'failed'; from: string | undefined; job: string; reason: string; retrying: boolean };

/** Annotation of an instance that retries a failed migration: any new value starts a new attempt. */
export const RETRY_MIGRATION_ANNOTATION = 'rosterhub.io/retry-migration';

/** What planning needs beyond the instance, the serving version and the cluster. */
export interface PlanContext {
  /** The instance's {@link RETRY_MIGRATION_ANNOTATION}, if set. */
  retryMigration?: string;
}

/** The desired objects of one reconcile and the version bookkeeping that goes with them. */
export interface Plan {
  /** Objects to apply, in order. */
  objects: KubeObject[];
  /** Live objects that are not applied but must not be pruned (the migration Job that ran). */
  keep: KubeObject[];
  /** The district synthesized at `spec.version` (the target). */
  target: District;
  /** The version that will be serving after this plan is applied. */
  currentVersion: string | undefined;
  upgrade: UpgradePhase;
  migrationJob: string;
  /** A failed migration Job to delete, so that a retry can create it again. */
  retire?: KubeObject;
}

const isWorkload = (object: KubeObject) =>
  (object.kind === 'Deployment' && object.apiVersion === 'apps/v1') ||
  object.kind === 'HorizontalPodAutoscaler' ||
  object.kind === 'ScaledObject';

function withVersion(instance: RosterHubInstance, version: string): RosterHubInstance {
  return { ...instance, spec: { ...instance.spec, version } };
}

const retryToken = (job: KubeObject | undefined) => job?.metadata.annotations?.[RETRY_MIGRATION_ANNOTATION];

/** The migration Job as it is created: marked with the retry it answers, if any. */
function withRetry(job: KubeObject, retry: string | undefined): KubeObject {
  if (retry === undefined) return job;
  const annotations = { ...job.metadata.annotations, [RETRY_MIGRATION_ANNOTATION]: retry };
  return { ...job, metadata: { ...job.metadata, annotations } };
}

/**
 * Decides what to apply for one instance. A new `spec.version` first runs its migration Job
 * (once the database is ready) while everything else stays at the serving version; only a
 * completed migration lets the Deployments move to the new image, and the new version counts
 * as serving (`currentVersion`) only once they are available, so a crashlooping release can
 * still be set back. A failed migration leaves the old version serving until the version is
 * fixed, set back, or the migration retried (RETRY_MIGRATION_ANNOTATION). On first install the
 * API and workers wait for the migration too. Migration Jobs are applied only while they are
 * needed (created when absent, never patched: their pod template is immutable).
 */
export function planReconcile(
  instance: RosterHubInstance,
  servingVersion: string | undefined,
  observed: ObservedChildren,
  synthesize: (instance: RosterHubInstance) => District = synthesizeDistrict,
  context: PlanContext = {},
): Plan {
  const target = synthesize(instance);
  const targetVersion = target.instance.spec.version;
  const jobName = target.migrationJobName;
  const isTargetJob = (object: KubeObject) => object.kind === 'Job' && object.metadata.name === jobName;
  const liveJob = observed.get('batch/v1', 'Job', jobName);
  const state = jobState(liveJob);
  const targetObjects = target.objects as KubeObject[];
  // A live Job is never applied again (its template is immutable, and a finished Job must not
  // be re-created once gone); it is only kept from pruning.
  const keep = liveJob ? [liveJob] : [];
  const plan = (fields: Pick<Plan, 'objects' | 'currentVersion' | 'upgrade'> & Partial<Plan>): Plan => ({
    keep,
    target,
    migrationJob: jobName,
    ...fields,
  });

  if (servingVersion === targetVersion) {
    return plan({
      objects: targetObjects.filter((object) => !isTargetJob(object)),
      currentVersion: targetVersion,
      upgrade: { state: 'steady' },
    });
  }
  if (state === 'complete') {
    // Migrated: everything at the target version; the serving version moves once it is rolled out.
    return plan({
      objects: targetObjects.filter((object) => !isTargetJob(object)),
      currentVersion: servingVersion,
      upgrade: { state: 'rolling', from: servingVersion },
    });
  }

  const serving: District | undefined =
    servingVersion === undefined ? undefined : synthesize(withVersion(target.instance, servingVersion));
  const base = serving
    ? (serving.objects as KubeObject[]).filter(
        (object) => !(object.kind === 'Job' && object.metadata.name === serving.migrationJobName),
      )
    : targetObjects.filter((object) => !isTargetJob(object) && !isWorkload(object));

  if (state === 'failed') {
    const retry = context.retryMigration;
    const retrying = retry !== undefined && retry !== retryToken(liveJob);
    return plan({
      objects: base,
      currentVersion: servingVersion,
      upgrade: {
        state: 'failed',
        from: servingVersion,
        job: jobName,
        reason: jobFailure(liveJob),
        retrying,
      },
      ...(retrying && liveJob ? { retire: liveJob, keep: [] } : {}),
    });
  }
  const job = liveJob ? undefined : targetObjects.find(isTargetJob);
  return plan({
    objects: job ? [...base, withRetry(job, context.retryMigration)] : base,
    currentVersion: servingVersion,
    upgrade:
      servingVersion === undefined
        ? { state: 'installing', migration: state }
        : { state: 'migrating', from: servingVersion, migration: state },
  });
}

/**
 * The plan without the migration Job it would create, while the database is not ready (`why`):
 * a Job started then would spend its deadline waiting for a Secret or a server.
 */
export function deferMigration(plan: Plan, why: string): Plan {
  const creates = (object: KubeObject) => object.kind === 'Job' && object.metadata.name === plan.migrationJob;
  if (!plan.objects.some(creates)) return plan;
  return {
    ...plan,
    objects: plan.objects.filter((object) => !creates(object)),
    upgrade: { state: 'waitingForDatabase', from: plan.currentVersion, reason: why },
  };
}
