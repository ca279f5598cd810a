import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { managedMetadata } from './provisioner.js';

/** Props of {@link ConnectionSecretExport}. */
export interface ConnectionSecretExportProps {
  readonly context: InstanceContext;
  readonly component: 'postgres' | 'redis';
  /** Name of the FieldExport. */
  readonly name: string;
  /** Connection Secret the value lands in (created here, empty: the export fills it). */
  readonly secretName: string;
  readonly key: string;
  /** The ACK resource and the field (`.status.endpoint.address`) to copy. */
  readonly from: {
    readonly group: string;
    readonly kind: string;
    readonly name: string;
    readonly path: string;
  };
}

/**
 * Copies a status field of an ACK resource into a key of the connection Secret with an ACK
 * `FieldExport`. ACK needs the target Secret to exist, so this also emits it without data: an
 * empty receptacle, never secret content (the export writes the value).
 */
export class ConnectionSecretExport extends Construct {
  constructor(scope: Construct, id: string, props: ConnectionSecretExportProps) {
    super(scope, id);
    const { context, component, from } = props;
    new ApiObject(this, 'Secret', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: managedMetadata(context, component, props.secretName),
      type: 'Opaque',
    });
    new ApiObject(this, 'Resource', {
      apiVersion: 'services.k8s.aws/v1alpha1',
      kind: 'FieldExport',
      metadata: managedMetadata(context, component, props.name),
      spec: {
        to: { kind: 'secret', name: props.secretName, key: props.key },
        from: { path: from.path, resource: { group: from.group, kind: from.kind, name: from.name } },
      },
    });
  }
}
