import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { IMPORT_QUEUE_WAITING_LIST } from '../../lib/queues.js';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels } from '../names.js';

/** Props of {@link WorkerAutoscaler}. */
export interface WorkerAutoscalerProps {
  readonly context: InstanceContext;
}

/** How the worker scales up and down, whoever owns the HorizontalPodAutoscaler. */
const behavior = {
  scaleUp: {
    stabilizationWindowSeconds: 0,
    policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
  },
  // Imports run for minutes: scale down slowly so a busy worker is not stopped mid-file.
  scaleDown: {
    stabilizationWindowSeconds: 600,
    policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }],
  },
};

/** `apiVersion` and `kind` of a KEDA ScaledObject. */
export const scaledObjectKind = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' } as const;

/** Waiting imports per worker Pod KEDA aims for (an import keeps a worker busy for minutes). */
const WAITING_IMPORTS_PER_WORKER = 1;

/**
 * What scales the worker Deployment, and so owns its replica count (which the Deployment never
 * states): with KEDA, a ScaledObject on the import queue's depth (the waiting list in Redis,
 * read with the worker's own connection variables) beside CPU; without, an autoscaling/v2
 * HorizontalPodAutoscaler on CPU utilization.
 */
export class WorkerAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: WorkerAutoscalerProps) {
    super(scope, id);
    const { context } = props;
    const worker = context.spec.worker;
    const labels = componentLabels(context.name, 'worker', context.spec.version);
    if (context.workerAutoscaler === 'keda') {
      const scheme = context.spec.redis.mode === 'managed' ? 'rediss' : undefined;
      new ApiObject(this, 'Resource', {
        ...scaledObjectKind,
        metadata: { name: context.names.worker, labels },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: context.names.worker },
          minReplicaCount: worker.minReplicas,
          maxReplicaCount: worker.maxReplicas,
          advanced: { horizontalPodAutoscalerConfig: { behavior } },
          triggers: [
            {
              type: 'redis',
              metadata: {
                hostFromEnv: 'REDIS_HOST',
                portFromEnv: 'REDIS_PORT',
                passwordFromEnv: 'REDIS_PASSWORD',
                listName: IMPORT_QUEUE_WAITING_LIST,
                listLength: String(WAITING_IMPORTS_PER_WORKER),
                ...(scheme === 'rediss' ? { enableTLS: 'true' } : {}),
              },
            },
            {
              type: 'cpu',
              metricType: 'Utilization',
              metadata: { value: String(worker.targetCPUUtilizationPercentage) },
            },
          ],
        },
      });
      return;
    }
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: { name: context.names.worker, labels },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: context.names.worker },
        minReplicas: worker.minReplicas,
        maxReplicas: worker.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: worker.targetCPUUtilizationPercentage },
            },
          },
        ],
        behavior,
      },
    });
  }
}
