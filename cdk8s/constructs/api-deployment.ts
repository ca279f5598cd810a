import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { annotationKeys, componentLabels, ports, selectorLabels } from '../names.js';
import { appPodTemplate, httpProbe, type AppConnections } from './app-pod.js';

/** Props of {@link ApiDeployment}. */
export interface ApiDeploymentProps {
  readonly context: InstanceContext;
  readonly connections: AppConnections;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  /** Hash of the app settings, so that a change rolls the Pods. */
  readonly configHash: string;
}

/**
 * The OneRoster API (`rosterhub api`): a fixed replica count, surge-only
 * rollouts, spread over nodes, probes on /healthz (liveness, startup) and /readyz (readiness,
 * which also waits for the migration Job).
 */
export class ApiDeployment extends Construct {
  constructor(scope: Construct, id: string, props: ApiDeploymentProps) {
    super(scope, id);
    const { context } = props;
    const { spec, names } = context;
    const selector = selectorLabels(context.name, 'api');
    const template = appPodTemplate({
      context,
      component: 'api',
      containerName: 'api',
      args: ['api'],
      resources: spec.api.resources,
      serviceAccountName: props.serviceAccountName,
      connections: props.connections,
      configMapName: props.configMapName,
      ports: [
        { name: ports.api.name, containerPort: ports.api.number },
        { name: ports.apiHealth.name, containerPort: ports.apiHealth.number },
      ],
      probes: {
        startupProbe: httpProbe('/healthz', ports.apiHealth.number, {
          periodSeconds: 2,
          failureThreshold: 30,
        }),
        livenessProbe: httpProbe('/healthz', ports.apiHealth.number, {
          periodSeconds: 10,
          failureThreshold: 3,
        }),
        readinessProbe: httpProbe('/readyz', ports.apiHealth.number, {
          periodSeconds: 5,
          failureThreshold: 2,
        }),
      },
      // SHUTDOWN_DRAIN_MS (5 s) + SHUTDOWN_TIMEOUT_MS (25 s) + margin.
      terminationGracePeriodSeconds: 35,
      podAnnotations: { [annotationKeys.configHash]: props.configHash },
      topologySpreadConstraints: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map(
        (topologyKey) => ({
          maxSkew: 1,
          topologyKey,
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selector },
        }),
      ),
    });
    new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: names.api, labels: componentLabels(context.name, 'api', spec.version) },
      spec: {
        replicas: spec.api.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: selector },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: {
            maxSurge: k8s.IntOrString.fromNumber(1),
            maxUnavailable: k8s.IntOrString.fromNumber(0),
          },
        },
        template,
      },
    });
  }
}
