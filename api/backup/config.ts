import { ConfigError, type ConfigOf, type Setting } from '../../lib/config/settings.js';
import { loadConnectedConfig } from '../../lib/config/connection-urls.js';
import { boolean, integer, oneOf, text, url } from '../../lib/config/parsers.js';

const optionalText = (doc: string, env: string): Setting<string> => ({
  env,
  doc,
  default: '',
  parse: text(),
});

/** Settings of `rosterhub backup` and `rosterhub restore`: what the backup CronJob passes. */
export const backupSettings = {
  databaseUrl: {
    env: 'DATABASE_URL',
    doc: 'PostgreSQL to dump (backup) or to restore into (restore); or composed from the PG* variables',
    parse: url(['postgres', 'postgresql']),
    secret: true,
  } satisfies Setting<string>,
  destination: {
    env: 'BACKUP_DESTINATION',
    doc: '`pvc` (a folder, BACKUP_DIR), `s3` or `azureBlob`',
    parse: oneOf(['pvc', 's3', 'azureBlob'] as const),
  } satisfies Setting<'pvc' | 's3' | 'azureBlob'>,
  retentionDays: {
    env: 'BACKUP_RETENTION_DAYS',
    doc: 'Backups older than this are deleted after a successful backup (the newest is always kept)',
    default: 30,
    parse: integer({ min: 1, max: 3650 }),
  } satisfies Setting<number>,
  dir: optionalText('Folder of `pvc` backups (the mounted volume)', 'BACKUP_DIR'),
  prefix: optionalText(
    'Key prefix of backups in the bucket or container, e.g. `districts/a/`',
    'BACKUP_PREFIX',
  ),
  s3Bucket: optionalText('S3 bucket of `s3` backups', 'BACKUP_S3_BUCKET'),
  s3Region: {
    env: 'AWS_REGION',
    doc: 'S3 region',
    default: 'us-east-1',
    parse: text(),
  } satisfies Setting<string>,
  s3Endpoint: {
    env: 'BACKUP_S3_ENDPOINT',
    doc: 'S3-compatible endpoint instead of AWS (e.g. MinIO); empty for AWS',
    default: '',
    parse: (raw: string) => url(['http', 'https'])(raw),
  } satisfies Setting<string>,
  s3ForcePathStyle: {
    env: 'BACKUP_S3_FORCE_PATH_STYLE',
    doc: 'Path-style bucket URLs, as most S3-compatible servers need',
    default: false,
    parse: boolean(),
  } satisfies Setting<boolean>,
  azureAccount: optionalText('Azure storage account of `azureBlob` backups', 'BACKUP_AZURE_STORAGE_ACCOUNT'),
  azureContainer: optionalText('Blob container of `azureBlob` backups', 'BACKUP_AZURE_CONTAINER'),
  azureEndpoint: {
    env: 'BACKUP_AZURE_ENDPOINT',
    doc: 'Blob service URL; default `https://<account>.blob.core.windows.net` (set it for Azurite or sovereign clouds)',
    default: '',
    parse: (raw: string) => url(['http', 'https'])(raw),
  } satisfies Setting<string>,
  azureKey: {
    ...optionalText('Storage account key (or use AZURE_STORAGE_SAS_TOKEN)', 'AZURE_STORAGE_KEY'),
    secret: true,
  },
  azureSasToken: {
    ...optionalText('SAS token with read, write, list and delete rights', 'AZURE_STORAGE_SAS_TOKEN'),
    secret: true,
  },
  azureDisableInstanceDiscovery: {
    env: 'BACKUP_AZURE_DISABLE_INSTANCE_DISCOVERY',
    doc: 'With workload identity: skip Microsoft Entra instance discovery, for an authority (AZURE_AUTHORITY_HOST) of Azure Stack or a private cloud',
    default: false,
    parse: boolean(),
  } satisfies Setting<boolean>,
};

/** The variables Azure Workload Identity's webhook injects into a Pod that uses it. */
export const WORKLOAD_IDENTITY_VARIABLES = [
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_FEDERATED_TOKEN_FILE',
];

/** Whether the process runs with Azure Workload Identity (its webhook's variables are set). */
export function hasAzureWorkloadIdentity(env: Readonly<Record<string, string | undefined>>): boolean {
  return WORKLOAD_IDENTITY_VARIABLES.every((name) => (env[name] ?? '').trim() !== '');
}

export type BackupConfig = ConfigOf<typeof backupSettings>;

/** Loads and cross-checks the settings: each destination names the variables it needs. */
export function loadBackupConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): BackupConfig {
  const config = loadConnectedConfig(backupSettings, env);
  const needs: Record<BackupConfig['destination'], [keyof BackupConfig, string][]> = {
    pvc: [['dir', 'BACKUP_DIR']],
    s3: [['s3Bucket', 'BACKUP_S3_BUCKET']],
    azureBlob: [
      ['azureAccount', 'BACKUP_AZURE_STORAGE_ACCOUNT'],
      ['azureContainer', 'BACKUP_AZURE_CONTAINER'],
    ],
  };
  const problems = needs[config.destination]
    .filter(([key]) => config[key] === '')
    .map(([, name]) => `${name} is required when BACKUP_DESTINATION=${config.destination}`);
  if (
    config.destination === 'azureBlob' &&
    config.azureKey === '' &&
    config.azureSasToken === '' &&
    !hasAzureWorkloadIdentity(env)
  ) {
    problems.push(
      `AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or Azure Workload Identity (${WORKLOAD_IDENTITY_VARIABLES.join(', ')}: its webhook sets them when the ServiceAccount names a client id and the Pod is labelled azure.workload.identity/use), is required when BACKUP_DESTINATION=azureBlob`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
