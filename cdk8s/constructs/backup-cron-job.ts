import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels } from '../names.js';
import type { WorkloadIdentity } from '../platforms.js';
import { appPodTemplate, type AppConnections } from './app-pod.js';

/** Props of {@link BackupCronJob}. */
export interface BackupCronJobProps {
  readonly context: InstanceContext;
  readonly connections: AppConnections;
  readonly serviceAccountName: string;
  readonly configMapName: string;
  /** Cloud identity of the backup ServiceAccount, when the destination uses one. @default none */
  readonly identity?: WorkloadIdentity;
}

const backupMountPath = '/backups';

/**
 * `rosterhub backup` on a schedule: `pg_dump` in custom format to the chosen destination,
 * then deletion of backups older than the retention. Never two at once (Forbid), and a run
 * missed by up to an hour (controller restart) still starts.
 */
export class BackupCronJob extends Construct {
  constructor(scope: Construct, id: string, props: BackupCronJobProps) {
    super(scope, id);
    const { context } = props;
    const { spec, names } = context;
    const backup = spec.backup;
    const destination = backup.destination;
    const prefix = `${context.namespace}/${context.name}/`;
    const env: k8s.EnvVar[] = [
      { name: 'BACKUP_FORMAT', value: 'custom' },
      { name: 'BACKUP_RETENTION_DAYS', value: String(backup.retentionDays) },
      { name: 'BACKUP_DESTINATION', value: destination.type },
    ];
    switch (destination.type) {
      case 'pvc':
        env.push({ name: 'BACKUP_DIR', value: backupMountPath });
        break;
      case 's3': {
        const s3 = destination.s3;
        if (!s3) throw new Error('BackupCronJob: spec.backup.destination.s3 is required for type s3');
        env.push(
          { name: 'BACKUP_S3_BUCKET', value: s3.bucket },
          { name: 'BACKUP_PREFIX', value: s3.prefix ?? prefix },
          ...(s3.region === undefined ? [] : [{ name: 'AWS_REGION', value: s3.region }]),
          ...(s3.endpoint === undefined
            ? []
            : [
                { name: 'BACKUP_S3_ENDPOINT', value: s3.endpoint },
                { name: 'BACKUP_S3_FORCE_PATH_STYLE', value: String(s3.forcePathStyle) },
              ]),
        );
        break;
      }
      case 'azureBlob': {
        const blob = destination.azureBlob;
        if (!blob)
          throw new Error('BackupCronJob: spec.backup.destination.azureBlob is required for type azureBlob');
        env.push(
          { name: 'BACKUP_AZURE_STORAGE_ACCOUNT', value: blob.storageAccount },
          { name: 'BACKUP_AZURE_CONTAINER', value: blob.container },
          { name: 'BACKUP_PREFIX', value: blob.prefix ?? prefix },
          ...(blob.endpoint === undefined ? [] : [{ name: 'BACKUP_AZURE_ENDPOINT', value: blob.endpoint }]),
        );
        break;
      }
    }
    const credentials = destination.credentialsSecretRef;
    const onVolume = destination.type === 'pvc';
    const template = appPodTemplate({
      context,
      component: 'backup',
      containerName: 'backup',
      args: ['backup'],
      resources: {
        requests: { cpu: '100m', memory: '256Mi' },
        limits: { cpu: '1', memory: '1Gi' },
      },
      serviceAccountName: props.serviceAccountName,
      connections: props.connections,
      configMapName: props.configMapName,
      env,
      envFrom: credentials ? [{ secretRef: { name: credentials.name } }] : [],
      restartPolicy: 'Never',
      ...(onVolume
        ? {
            volumes: [{ name: 'backups', persistentVolumeClaim: { claimName: names.backupVolume } }],
            volumeMounts: [{ name: 'backups', mountPath: backupMountPath }],
          }
        : {}),
      ...(props.identity ? { podLabels: props.identity.podLabels } : {}),
    });
    new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: names.backupCronJob, labels: componentLabels(context.name, 'backup', spec.version) },
      spec: {
        schedule: backup.schedule,
        timeZone: backup.timeZone,
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: componentLabels(context.name, 'backup') },
          spec: {
            backoffLimit: 2,
            // A dump that runs for six hours is stuck; the next schedule tries again.
            activeDeadlineSeconds: 21600,
            template,
          },
        },
      },
    });
  }
}
