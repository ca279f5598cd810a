import type { KubeObject } from '../kube/kube-client.js';

/** Whether one child object does its job, and why not, in words a person can act on. */
export interface Health {
  ready: boolean;
  message: string;
}

interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

const statusOf = (object: KubeObject) => (object.status ?? {}) as WorkloadStatus;
const specReplicas = (object: KubeObject) =>
  (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;

/** A Deployment is ready when its current generation is rolled out and every replica is available. */
export function deploymentHealth(deployment: KubeObject | undefined, name: string): Health {
  if (!deployment) return { ready: false, message: `Deployment ${name} does not exist yet` };
  const status = statusOf(deployment);
  const wanted = specReplicas(deployment);
  if ((status.observedGeneration ?? 0) < (deployment.metadata.generation ?? 0)) {
    return { ready: false, message: `Deployment ${name} has not seen its latest change yet` };
  }
  const progress = status.conditions?.find((c) => c.type === 'Progressing');
  if (progress?.status === 'False') {
    return {
      ready: false,
      message: `Deployment ${name} is stuck: ${progress.message ?? progress.reason ?? 'rollout stalled'}`,
    };
  }
  if ((status.updatedReplicas ?? 0) < wanted) {
    return {
      ready: false,
      message: `Deployment ${name}: ${status.updatedReplicas ?? 0} of ${wanted} replicas updated`,
    };
  }
  if ((status.availableReplicas ?? 0) < wanted) {
    return {
      ready: false,
      message: `Deployment ${name}: ${status.availableReplicas ?? 0} of ${wanted} replicas available`,
    };
  }
  return { ready: true, message: `${status.availableReplicas ?? 0} of ${wanted} replicas available` };
}

/**
 * A StatefulSet is ready when its latest generation is seen, its Pods run the update revision
 * (a restart for new settings is a rollout too) and every replica is ready.
 */
export function statefulSetHealth(statefulSet: KubeObject | undefined, name: string): Health {
  if (!statefulSet) return { ready: false, message: `StatefulSet ${name} does not exist yet` };
  const status = statusOf(statefulSet) as WorkloadStatus & {
    currentRevision?: string;
    updateRevision?: string;
  };
  const wanted = specReplicas(statefulSet);
  if ((status.observedGeneration ?? 0) < (statefulSet.metadata.generation ?? 0)) {
    return { ready: false, message: `StatefulSet ${name} has not seen its latest change yet` };
  }
  if (status.updateRevision && status.currentRevision !== status.updateRevision) {
    return { ready: false, message: `StatefulSet ${name} is rolling out revision ${status.updateRevision}` };
  }
  if ((status.readyReplicas ?? 0) < wanted) {
    return {
      ready: false,
      message: `StatefulSet ${name}: ${status.readyReplicas ?? 0} of ${wanted} replicas ready`,
    };
  }
  return { ready: true, message: `StatefulSet ${name} ready` };
}

/**
 * A cloud claim (Azure Service Operator, ACK, Crossplane) is ready when it says so: `Ready`
 * (ASO, Crossplane) or `ACK.ResourceSynced` (ACK) is True.
 */
export function claimHealth(claim: KubeObject | undefined, label: string): Health {
  if (!claim) return { ready: false, message: `${label} has not been created yet` };
  const conditions = statusOf(claim).conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready' || c.type === 'ACK.ResourceSynced');
  if (ready?.status === 'True') return { ready: true, message: `${label} is ready` };
  const detail = ready?.message ?? ready?.reason ?? 'waiting for the cloud provider';
  return { ready: false, message: `${label} is not ready: ${detail}` };
}
