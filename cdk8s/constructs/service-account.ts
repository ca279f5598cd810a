import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels, instanceLabels, type Component } from '../names.js';
import type { WorkloadIdentity } from '../platforms.js';

/** Props of {@link RosterHubServiceAccount}. */
export interface RosterHubServiceAccountProps {
  readonly context: InstanceContext;
  readonly name: string;
  /** Component label, when the account serves one component only. @default instance labels only */
  readonly component?: Component;
  /** Cloud identity the account federates with. @default none */
  readonly identity?: WorkloadIdentity;
}

/**
 * A ServiceAccount that never mounts a token: RosterHub Pods do not call the Kubernetes API.
 * Workload-identity webhooks (Azure, IRSA) project their own audience-bound token regardless.
 */
export class RosterHubServiceAccount extends Construct {
  constructor(scope: Construct, id: string, props: RosterHubServiceAccountProps) {
    super(scope, id);
    const { context, identity } = props;
    const annotations = identity?.serviceAccountAnnotations ?? {};
    new k8s.KubeServiceAccount(this, 'Resource', {
      metadata: {
        name: props.name,
        labels:
          props.component === undefined
            ? instanceLabels(context.name)
            : componentLabels(context.name, props.component, context.spec.version),
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      automountServiceAccountToken: false,
    });
  }
}
