import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels, shortHash } from '../names.js';
import { appPodTemplate, type AppConnections } from './app-pod.js';

/** Props of {@link MigrationJob}. */
export interface MigrationJobProps {
  readonly context: InstanceContext;
  readonly connections: AppConnections;
  readonly serviceAccountName: string;
  readonly configMapName: string;
}

/**
 * `rosterhub migrate` for `spec.version`, once. The name holds the version and a hash of the
 * (immutable) pod template, so a new version or a changed template is a new Job rather than
 * a rejected update; old Jobs are the operator's to prune. Migrations take a PostgreSQL
 * advisory lock, so a re-run is harmless.
 */
export class MigrationJob extends Construct {
  /** Name of the Job. */
  readonly name: string;

  constructor(scope: Construct, id: string, props: MigrationJobProps) {
    super(scope, id);
    const { context } = props;
    const { spec, names } = context;
    const template = appPodTemplate({
      context,
      component: 'migration',
      containerName: 'migrate',
      args: ['migrate'],
      resources: {
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '500m', memory: '512Mi' },
      },
      serviceAccountName: props.serviceAccountName,
      connections: props.connections,
      configMapName: props.configMapName,
      restartPolicy: 'Never',
    });
    this.name = names.migrationJob(spec.version, shortHash(JSON.stringify(template)));
    new k8s.KubeJob(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: componentLabels(context.name, 'migration', spec.version),
      },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 1800,
        template,
      },
    });
  }
}
