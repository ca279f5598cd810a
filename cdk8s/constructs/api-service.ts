import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels, ports, selectorLabels } from '../names.js';

/** Props of {@link ApiService}. */
export interface ApiServiceProps {
  readonly context: InstanceContext;
}

/**
 * ClusterIP Service of the API: port 80 (`http`) is the Ingress's target; port 8081 (`metrics`),
 * the health port, is the ServiceMonitor's, and no Ingress routes to it.
 */
export class ApiService extends Construct {
  constructor(scope: Construct, id: string, props: ApiServiceProps) {
    super(scope, id);
    const { context } = props;
    new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: context.names.api,
        labels: componentLabels(context.name, 'api', context.spec.version),
      },
      spec: {
        type: 'ClusterIP',
        selector: selectorLabels(context.name, 'api'),
        ports: [
          {
            name: ports.apiService.name,
            port: ports.apiService.number,
            targetPort: k8s.IntOrString.fromString(ports.api.name),
            protocol: 'TCP',
          },
          {
            name: ports.apiMetricsService.name,
            port: ports.apiMetricsService.number,
            targetPort: k8s.IntOrString.fromString(ports.apiHealth.name),
            protocol: 'TCP',
          },
        ],
      },
    });
  }
}
