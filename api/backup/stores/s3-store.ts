import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { parseBackupName, type BackupStore, type StoredBackup } from '../backup-store.js';

export interface S3StoreOptions {
  bucket: string;
  prefix: string;
  region: string;
  /** An S3-compatible endpoint; AWS when empty. */
  endpoint?: string;
  forcePathStyle?: boolean;
}

/**
 * Backups as S3 objects. A multipart upload only becomes an object when it completes, so a
 * failed backup leaves nothing behind. Credentials come from the SDK's default chain: IRSA on
 * EKS, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY from the credentials Secret.
 */
export class S3Store implements BackupStore {
  readonly #client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    this.#client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
    });
  }

  get description(): string {
    return `s3://${this.options.bucket}/${this.options.prefix}`;
  }

  async put(name: string, body: Readable): Promise<void> {
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.options.bucket, Key: this.options.prefix + name, Body: body },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async get(name: string): Promise<Readable> {
    const result = await this.#client.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: this.options.prefix + name }),
    );
    if (!result.Body) throw new Error(`backup ${name} has no content`);
    return result.Body as Readable;
  }

  async list(): Promise<StoredBackup[]> {
    const backups: StoredBackup[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.options.prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        const name = (object.Key ?? '').slice(this.options.prefix.length);
        const takenAt = parseBackupName(name);
        if (takenAt) backups.push({ name, takenAt });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return backups;
  }

  async delete(name: string): Promise<void> {
    await this.#client.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.options.prefix + name }),
    );
  }

  close(): void {
    this.#client.destroy();
  }
}
