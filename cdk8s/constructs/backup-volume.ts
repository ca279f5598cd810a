import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { componentLabels } from '../names.js';

/** Props of {@link BackupVolume}. */
export interface BackupVolumeProps {
  readonly context: InstanceContext;
}

/** The PersistentVolumeClaim `pvc` backups are written to. */
export class BackupVolume extends Construct {
  constructor(scope: Construct, id: string, props: BackupVolumeProps) {
    super(scope, id);
    const { context } = props;
    const pvc = context.spec.backup.destination.pvc;
    new k8s.KubePersistentVolumeClaim(this, 'Resource', {
      metadata: { name: context.names.backupVolume, labels: componentLabels(context.name, 'backup') },
      spec: {
        accessModes: ['ReadWriteOnce'],
        storageClassName: pvc.className ?? context.profile.storageClassName,
        resources: { requests: { storage: k8s.Quantity.fromString(pvc.size) } },
      },
    });
  }
}
