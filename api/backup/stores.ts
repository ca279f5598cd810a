import { WorkloadIdentityCredential } from '@azure/identity';
import type { BackupStore } from './backup-store.js';
import type { BackupConfig } from './config.js';
import { AzureBlobStore } from './stores/azure-blob-store.js';
import { FileStore } from './stores/file-store.js';
import { S3Store } from './stores/s3-store.js';

/** The store the configuration names. */
export function storeFor(config: BackupConfig): BackupStore {
  switch (config.destination) {
    case 'pvc':
      return new FileStore(config.dir);
    case 's3':
      return new S3Store({
        bucket: config.s3Bucket,
        prefix: config.prefix,
        region: config.s3Region,
        endpoint: config.s3Endpoint,
        forcePathStyle: config.s3ForcePathStyle,
      });
    case 'azureBlob':
      return new AzureBlobStore({
        account: config.azureAccount,
        container: config.azureContainer,
        prefix: config.prefix,
        endpoint: config.azureEndpoint,
        key: config.azureKey,
        sasToken: config.azureSasToken,
        ...(config.azureKey === '' && config.azureSasToken === ''
          ? {
              // Reads AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE (and AZURE_AUTHORITY_HOST).
              credential: new WorkloadIdentityCredential({
                disableInstanceDiscovery: config.azureDisableInstanceDiscovery,
              }),
            }
          : {}),
      });
  }
}
