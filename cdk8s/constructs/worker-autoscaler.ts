import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels } from '../names.js';

/** Props of {@link WorkerAutoscaler}. */
export interface WorkerAutoscalerProps {
  readonly context: InstanceContext;
}

/**
 * autoscaling/v2 HorizontalPodAutoscaler of the worker Deployment on CPU utilization. It owns
 * the Deployment's replica count, which the Deployment therefore never states.
 */
export class WorkerAutoscaler extends Construct {
  constructor(scope: Construct, id: string, props: WorkerAutoscalerProps) {
    super(scope, id);
    const { context } = props;
    const worker = context.spec.worker;
    new k8s.KubeHorizontalPodAutoscalerV2(this, 'Resource', {
      metadata: {
        name: context.names.worker,
        labels: componentLabels(context.name, 'worker', context.spec.version),
      },
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
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
          },
          // Imports run for minutes: scale down slowly so a busy worker is not stopped mid-file.
          scaleDown: {
            stabilizationWindowSeconds: 600,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }],
          },
        },
      },
    });
  }
}
