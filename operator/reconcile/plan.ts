import { synthesizeDistrict, type District, type RosterHubInstance } from '../../cdk8s/index.js';
import type { KubeObject } from '../kube/kube-client.js';
import { migrationFailure, migrationState, type MigrationState } from './migration-state.js';

/** What the reconciler reads of the cluster while planning. */
export interface ObservedChildren {
  get(apiVersion: string, kind: string, name: string): KubeObject | undefined;
}

export type UpgradePhase =
  | { state: 'steady' }
  | { state: 'installing'; migration: MigrationState }
  | { state: 'migrating'; from: string; migration: MigrationState }
  | { state: 'failed'; from: string | undefined; job: string; reason: string };

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
}

const isWorkload = (object: KubeObject) =>
  (object.kind === 'Deployment' && object.apiVersion === 'apps/v1') ||
  object.kind === 'HorizontalPodAutoscaler';

function withVersion(instance: RosterHubInstance, version: string): RosterHubInstance {
  return { ...instance, spec: { ...instance.spec, version } };
}

/**
 * Decides what to apply for one instance. A new `spec.version` first runs its migration Job
 * while everything else stays at the serving version; only a completed migration lets the
 * Deployments move to the new image. A failed migration leaves the old version serving until
 * the version is fixed or set back. On first install the API and workers wait for the
 * migration too. Migration Jobs are applied only while they are needed (created when absent,
 * never patched: their pod template is immutable).
 */
export function planReconcile(
  instance: RosterHubInstance,
  servingVersion: string | undefined,
  observed: ObservedChildren,
  synthesize: (instance: RosterHubInstance) => District = synthesizeDistrict,
): Plan {
  const target = synthesize(instance);
  const targetVersion = target.instance.spec.version;
  const jobName = target.migrationJobName;
  const isTargetJob = (object: KubeObject) => object.kind === 'Job' && object.metadata.name === jobName;
  const liveJob = observed.get('batch/v1', 'Job', jobName);
  const state = migrationState(liveJob);
  const targetObjects = target.objects as KubeObject[];
  // A live Job is never applied again (its template is immutable, and a finished Job must not
  // be re-created once gone); it is only kept from pruning.
  const keep = liveJob ? [liveJob] : [];

  if (servingVersion === targetVersion || state === 'complete') {
    // Up to date (or the migration just finished): everything at the target version.
    return {
      objects: targetObjects.filter((object) => !isTargetJob(object)),
      keep,
      target,
      currentVersion: targetVersion,
      upgrade: { state: 'steady' },
      migrationJob: jobName,
    };
  }

  const serving: District | undefined =
    servingVersion === undefined ? undefined : synthesize(withVersion(target.instance, servingVersion));
  const base = serving
    ? (serving.objects as KubeObject[]).filter(
        (object) => !(object.kind === 'Job' && object.metadata.name === serving.migrationJobName),
      )
    : targetObjects.filter((object) => !isTargetJob(object) && !isWorkload(object));
  const job = liveJob ? undefined : targetObjects.find(isTargetJob);
  const objects = job ? [...base, job] : base;

  if (state === 'failed') {
    return {
      objects,
      keep,
      target,
      currentVersion: servingVersion,
      upgrade: { state: 'failed', from: servingVersion, job: jobName, reason: migrationFailure(liveJob) },
      migrationJob: jobName,
    };
  }
  return {
    objects,
    keep,
    target,
    currentVersion: servingVersion,
    upgrade:
      servingVersion === undefined
        ? { state: 'installing', migration: state }
        : { state: 'migrating', from: servingVersion, migration: state },
    migrationJob: jobName,
  };
}
