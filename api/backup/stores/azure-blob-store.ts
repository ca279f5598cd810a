import type { Readable } from 'node:stream';
import type { TokenCredential } from '@azure/identity';
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { parseBackupName, type BackupStore, type StoredBackup } from '../backup-store.js';

export interface AzureBlobStoreOptions {
  account: string;
  container: string;
  prefix: string;
  /** Blob service URL; `https://<account>.blob.core.windows.net` when empty. */
  endpoint?: string;
  key?: string;
  sasToken?: string;
  /** Without a key or SAS token: a Microsoft Entra credential (workload identity). */
  credential?: TokenCredential;
}

/**
 * Backups as block blobs. Blocks are staged and committed only at the end of the upload, so a
 * failed backup leaves no blob behind.
 */
export class AzureBlobStore implements BackupStore {
  readonly #container: ContainerClient;

  constructor(private readonly options: AzureBlobStoreOptions) {
    const endpoint =
      options.endpoint === undefined || options.endpoint === ''
        ? `https://${options.account}.blob.core.windows.net`
        : options.endpoint;
    const service = options.key
      ? new BlobServiceClient(endpoint, new StorageSharedKeyCredential(options.account, options.key))
      : options.sasToken
        ? new BlobServiceClient(`${endpoint}?${options.sasToken.replace(/^\?/, '')}`)
        : new BlobServiceClient(endpoint, options.credential);
    this.#container = service.getContainerClient(options.container);
  }

  get description(): string {
    return `azure blob ${this.options.account}/${this.options.container}/${this.options.prefix}`;
  }

  async put(name: string, body: Readable): Promise<void> {
    await this.#container
      .getBlockBlobClient(this.options.prefix + name)
      .uploadStream(body, 4 * 1024 * 1024, 2);
  }

  async get(name: string): Promise<Readable> {
    const download = await this.#container.getBlockBlobClient(this.options.prefix + name).download();
    if (!download.readableStreamBody) throw new Error(`backup ${name} has no content`);
    return download.readableStreamBody as Readable;
  }

  async list(): Promise<StoredBackup[]> {
    const backups: StoredBackup[] = [];
    for await (const blob of this.#container.listBlobsFlat({ prefix: this.options.prefix })) {
      const name = blob.name.slice(this.options.prefix.length);
      const takenAt = parseBackupName(name);
      if (takenAt) backups.push({ name, takenAt });
    }
    return backups;
  }

  async delete(name: string): Promise<void> {
    await this.#container.getBlockBlobClient(this.options.prefix + name).deleteIfExists();
  }

  close(): void {
    // the SDK's HTTP client holds no sockets past a request
  }
}
