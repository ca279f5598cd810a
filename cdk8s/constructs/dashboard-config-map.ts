import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { instanceDashboard } from '../dashboard.js';
import { instanceLabels } from '../names.js';

/** Props of {@link DashboardConfigMap}. */
export interface DashboardConfigMapProps {
  readonly context: InstanceContext;
}

/** The instance's Grafana dashboard in a ConfigMap labelled for the Grafana sidecar. */
export class DashboardConfigMap extends Construct {
  constructor(scope: Construct, id: string, props: DashboardConfigMapProps) {
    super(scope, id);
    const { context } = props;
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: {
        name: context.names.dashboards,
        labels: { ...context.spec.monitoring.dashboards.labels, ...instanceLabels(context.name) },
      },
      data: {
        [`rosterhub-${context.namespace}-${context.name}.json`]: JSON.stringify(instanceDashboard(context)),
      },
    });
  }
}
