import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { InstanceContext } from '../context.js';
import { databaseName, databaseUser, ports } from '../names.js';
import { toWholeGibibytes } from '../quantity.js';
import { ConnectionSecretExport } from './field-export.js';
import { managedMetadata } from './provisioner.js';

/** Instance class and availability of one size. */
export interface RdsPostgresClass {
  readonly instanceClass: string;
  readonly multiAZ: boolean;
}

/** Props of {@link RdsPostgresInstance}. */
export interface RdsPostgresInstanceProps {
  readonly context: InstanceContext;
  readonly size: RdsPostgresClass;
  /** ACK resource annotations (deletion policy, region). */
  readonly annotations: Record<string, string>;
}

/**
 * Amazon RDS for PostgreSQL through the ACK RDS controller: an encrypted, private gp3
 * instance whose endpoint a FieldExport copies into the connection Secret.
 */
export class RdsPostgresInstance extends Construct {
  constructor(scope: Construct, id: string, props: RdsPostgresInstanceProps) {
    super(scope, id);
    const { context, size, annotations } = props;
    const { names, spec } = context;
    const aws = spec.aws;
    if (aws?.dbSubnetGroupName === undefined) {
      throw new Error('RdsPostgresInstance: spec.aws.dbSubnetGroupName is required');
    }
    const retain = spec.database.deletionPolicy === 'Retain';
    new ApiObject(this, 'Resource', {
      apiVersion: 'rds.services.k8s.aws/v1alpha1',
      kind: 'DBInstance',
      metadata: managedMetadata(context, 'postgres', names.postgres, annotations),
      spec: {
        dbInstanceIdentifier: names.managedPostgresServer,
        dbInstanceClass: size.instanceClass,
        engine: 'postgres',
        engineVersion: spec.database.version,
        allowMajorVersionUpgrade: true,
        autoMinorVersionUpgrade: true,
        allocatedStorage: Math.max(20, toWholeGibibytes(spec.database.storage.size)),
        storageType: 'gp3',
        storageEncrypted: true,
        masterUsername: databaseUser,
        masterUserPassword: {
          namespace: context.namespace,
          name: names.postgresCredentials,
          key: 'password',
        },
        dbName: databaseName,
        port: ports.postgres.number,
        dbSubnetGroupName: aws.dbSubnetGroupName,
        ...(aws.securityGroupIds.length > 0 ? { vpcSecurityGroupIDs: aws.securityGroupIds } : {}),
        publiclyAccessible: false,
        multiAZ: size.multiAZ,
        backupRetentionPeriod: 7,
        copyTagsToSnapshot: true,
        // With Retain the instance outlives its Kubernetes resource; guard it in AWS too.
        deletionProtection: retain,
      },
    });
    new ConnectionSecretExport(this, 'HostExport', {
      context,
      component: 'postgres',
      name: names.postgresHostExport,
      secretName: names.postgresConnection,
      key: 'host',
      from: {
        group: 'rds.services.k8s.aws',
        kind: 'DBInstance',
        name: names.postgres,
        path: '.status.endpoint.address',
      },
    });
  }
}
