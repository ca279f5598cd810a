import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels, ports } from '../names.js';
import type { RosterHubInstanceSpec } from '../spec.js';

/** Props of {@link ApiIngress}. */
export interface ApiIngressProps {
  readonly context: InstanceContext;
  readonly ingress: NonNullable<RosterHubInstanceSpec['api']['ingress']>;
}

/**
 * The API's Ingress for one host. Class and annotations come from the platform profile
 * unless the spec names them; TLS when the spec gives a certificate Secret.
 */
export class ApiIngress extends Construct {
  constructor(scope: Construct, id: string, props: ApiIngressProps) {
    super(scope, id);
    const { context, ingress } = props;
    const tls = ingress.tls !== undefined;
    const annotations = { ...context.profile.ingressAnnotations(tls), ...ingress.annotations };
    new k8s.KubeIngress(this, 'Resource', {
      metadata: {
        name: context.names.api,
        labels: componentLabels(context.name, 'api', context.spec.version),
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      },
      spec: {
        ingressClassName: ingress.className ?? context.profile.ingressClassName,
        rules: [
          {
            host: ingress.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: context.names.api, port: { name: ports.apiService.name } } },
                },
              ],
            },
          },
        ],
        ...(ingress.tls ? { tls: [{ hosts: [ingress.host], secretName: ingress.tls.secretName }] } : {}),
      },
    });
  }
}
