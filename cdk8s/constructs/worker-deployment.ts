import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { annotationKeys, componentLabels, selectorLabels } from '../names.js';
import { appPodTemplate, type AppConnections } from './app-pod.js';

/**
 * Node flags of the worker process. An import's read phase makes much short-lived garbage; a
 * young generation far smaller than Node's default keeps its peak RSS about 45 MB lower (large
 * district: 270-280 -> 230 MB) for about 5% more time. The import benchmark runs its worker so.
 */
export const workerNodeOptions = '--max-semi-space-size=8';

/** How long a worker Pod may take to stop: long enough for most imports in progress to finish. */
export const WORKER_GRACE_SECONDS = 300;

/** The worker gives a running import up this long before the kubelet would kill it, to exit cleanly. */
export const WORKER_SHUTDOWN_MARGIN_SECONDS = 10;

/** Props of {@link WorkerDeployment}. */
export interface WorkerDeploymentProps {
  readonly context: InstanceContext;
  readonly connections: AppConnections;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  readonly configHash: string;
}

/**
 * Background import workers (`rosterhub worker`). The HorizontalPodAutoscaler owns the replica
 * count, so `replicas` is never emitted: re-applying it would fight the autoscaler. A long grace
 * period lets an import in progress finish on SIGTERM; the worker waits for it almost that long
 * (WORKER_SHUTDOWN_TIMEOUT_MS), then exits so that another worker takes the job over.
 */
export class WorkerDeployment extends Construct {
  constructor(scope: Construct, id: string, props: WorkerDeploymentProps) {
    super(scope, id);
    const { context } = props;
    const { spec, names } = context;
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: names.worker, labels: componentLabels(context.name, 'worker', spec.version) },
      spec: {
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels(context.name, 'worker') },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(1),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template: appPodTemplate({
          context,
          component: 'worker',
          containerName: 'worker',
          args: ['worker'],
          env: [
            { name: 'NODE_OPTIONS', value: workerNodeOptions },
            {
              name: 'WORKER_SHUTDOWN_TIMEOUT_MS',
              value: String((WORKER_GRACE_SECONDS - WORKER_SHUTDOWN_MARGIN_SECONDS) * 1000),
            },
          ],
          resources: spec.worker.resources,
          serviceAccountName: props.serviceAccountName,
          connections: props.connections,
          configMapName: props.configMapName,
          terminationGracePeriodSeconds: WORKER_GRACE_SECONDS,
          podAnnotations: { [annotationKeys.configHash]: props.configHash },
        }),
      },
    });
  }
}
