import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels, selectorLabels } from '../names.js';

/** Props of {@link ApiDisruptionBudget}. */
export interface ApiDisruptionBudgetProps {
  readonly context: InstanceContext;
}

/**
 * At most one API Pod evicted at a time. `maxUnavailable` (not `minAvailable`) so that a
 * one-replica API never blocks a node drain.
 */
export class ApiDisruptionBudget extends Construct {
  constructor(scope: Construct, id: string, props: ApiDisruptionBudgetProps) {
    super(scope, id);
    const { context } = props;
    new k8s.KubePodDisruptionBudget(this, 'Resource', {
      metadata: {
        name: context.names.api,
        labels: componentLabels(context.name, 'api', context.spec.version),
      },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: selectorLabels(context.name, 'api') },
      },
    });
  }
}
