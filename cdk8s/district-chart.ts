import { connectionBudget, type ConnectionBudget } from './connection-budget.js';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { SecretRequirement } from './claims/claim.js';
import { PostgresClaim } from './claims/postgres-claim.js';
import { RedisClaim } from './claims/redis-claim.js';
import { ApiDeployment } from './constructs/api-deployment.js';
import { ApiDisruptionBudget } from './constructs/api-disruption-budget.js';
import { ApiIngress } from './constructs/api-ingress.js';
import { ApiService } from './constructs/api-service.js';
import { AppConfig } from './constructs/app-config.js';
import { BackupCronJob } from './constructs/backup-cron-job.js';
import { BackupVolume } from './constructs/backup-volume.js';
import { DashboardConfigMap } from './constructs/dashboard-config-map.js';
import { MigrationJob } from './constructs/migration-job.js';
import { NetworkPolicies } from './constructs/network-policies.js';
import { ApiServiceMonitor } from './constructs/service-monitor.js';
import { RosterHubServiceAccount } from './constructs/service-account.js';
import { WorkerAutoscaler } from './constructs/worker-autoscaler.js';
import { WorkerDeployment } from './constructs/worker-deployment.js';
import type { InstanceContext } from './context.js';

/** Props of {@link DistrictChart}. */
export interface DistrictChartProps {
  readonly context: InstanceContext;
}

/**
 * Every object of one district. Construct IDs are part of nothing visible (names come from
 * `names.ts` and resource-name hashes are off), so they may be renamed freely.
 */
export class DistrictChart extends Chart {
  /** Secrets the objects read but that synthesis never creates. */
  readonly requiredSecrets: readonly SecretRequirement[];
  /** Name of the migration Job of `spec.version` (the operator waits for it). */
  readonly migrationJobName: string;
  /** How the database's connections are shared (status reports whether it fits). */
  readonly connectionBudget: ConnectionBudget;

  constructor(scope: Construct, id: string, props: DistrictChartProps) {
    const { context } = props;
    super(scope, id, { namespace: context.namespace, disableResourceNameHashes: true });
    const { spec, names, profile } = context;

    this.connectionBudget = connectionBudget(context);
    const config = new AppConfig(this, 'Config', {
      context,
      databasePoolMax: this.connectionBudget.apiPoolPerPod,
    });
    new RosterHubServiceAccount(this, 'AppServiceAccount', { context, name: names.appServiceAccount });
    const postgres = new PostgresClaim(this, 'Postgres', { context }).claim;
    const redis = new RedisClaim(this, 'Redis', { context }).claim;
    const app = {
      context,
      connections: { postgres: postgres.connection, redis: redis.connection },
      serviceAccountName: names.appServiceAccount,
      configMapName: config.name,
    };

    this.migrationJobName = new MigrationJob(this, 'Migration', app).name;

    new ApiService(this, 'ApiService', { context });
    new ApiDeployment(this, 'Api', { ...app, configHash: config.hash });
    new ApiDisruptionBudget(this, 'ApiDisruptionBudget', { context });
    if (spec.api.ingress) new ApiIngress(this, 'ApiIngress', { context, ingress: spec.api.ingress });

    new WorkerDeployment(this, 'Worker', { ...app, configHash: config.hash });
    new WorkerAutoscaler(this, 'WorkerAutoscaler', { context });

    const secrets: SecretRequirement[] = [...postgres.secrets, ...redis.secrets];
    const destination = spec.backup.destination;
    // validateInstance admits useWorkloadIdentity only where the profile has an identity.
    const backupIdentity =
      spec.backup.enabled && destination.useWorkloadIdentity ? profile.workloadIdentity(spec) : undefined;
    if (spec.backup.enabled) {
      new RosterHubServiceAccount(this, 'BackupServiceAccount', {
        context,
        name: names.backupServiceAccount,
        component: 'backup',
        ...(backupIdentity ? { identity: backupIdentity } : {}),
      });
      if (destination.type === 'pvc') new BackupVolume(this, 'BackupVolume', { context });
      new BackupCronJob(this, 'Backup', {
        ...app,
        serviceAccountName: names.backupServiceAccount,
        ...(backupIdentity ? { identity: backupIdentity } : {}),
      });
      if (destination.credentialsSecretRef) {
        secrets.push({
          name: destination.credentialsSecretRef.name,
          component: 'backup',
          keys: [],
          origin: 'user',
          purpose: `credentials of the ${destination.type} backup destination`,
        });
      }
    }

    if (spec.monitoring.serviceMonitor.enabled) new ApiServiceMonitor(this, 'ServiceMonitor', { context });
    if (spec.monitoring.dashboards.enabled) new DashboardConfigMap(this, 'Dashboards', { context });

    new NetworkPolicies(this, 'NetworkPolicies', {
      context,
      postgresEgress: postgres.egress,
      redisEgress: redis.egress,
      backupIdentityEgress: backupIdentity?.egress ?? [],
    });
    this.requiredSecrets = secrets;
  }
}
