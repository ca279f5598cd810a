import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels, ports, selectorLabels } from '../names.js';

/** Props of {@link ApiServiceMonitor}. */
export interface ApiServiceMonitorProps {
  readonly context: InstanceContext;
}

/**
 * A Prometheus Operator ServiceMonitor (monitoring.coreos.com/v1) scraping the API's
 * `/metrics` on its health port. Carries the spec's extra labels so that the cluster's Prometheus selects it.
 */
export class ApiServiceMonitor extends Construct {
  constructor(scope: Construct, id: string, props: ApiServiceMonitorProps) {
    super(scope, id);
    const { context } = props;
    const serviceMonitor = context.spec.monitoring.serviceMonitor;
    new ApiObject(this, 'Resource', {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: {
        name: context.names.api,
        labels: { ...serviceMonitor.labels, ...componentLabels(context.name, 'api', context.spec.version) },
      },
      spec: {
        selector: { matchLabels: selectorLabels(context.name, 'api') },
        namespaceSelector: { matchNames: [context.namespace] },
        endpoints: [
          {
            port: ports.apiMetricsService.name,
            path: '/metrics',
            interval: serviceMonitor.interval,
            scheme: 'http',
          },
        ],
      },
    });
  }
}
