import type { MikroORM } from '@mikro-orm/postgresql';
import { ApiClient, ApiKey } from '../db/roster-entities.js';

/** A stored OAuth client or API key (never with its secret, only the hash). */
export interface StoredCredential {
  readonly id: string;
  readonly name: string;
  readonly secretHash: string;
  readonly scopes: readonly string[];
  readonly createdAt: Date;
  readonly revokedAt: Date | null | undefined;
  /** OAuth clients: when the secret was last rotated (tokens issued before it are void). */
  readonly secretRotatedAt?: Date | null | undefined;
}

/** OAuth clients and API keys, through MikroORM (a forked EntityManager per call). */
export class CredentialsRepository {
  constructor(private readonly orm: MikroORM) {}

  async createClient(
    clientId: string,
    name: string,
    secretHash: string,
    scopes: readonly string[],
  ): Promise<void> {
    const em = this.orm.em.fork();
    em.create(ApiClient, { clientId, name, secretHash, scopes: [...scopes], createdAt: new Date() });
    await em.flush();
  }

  async findClient(clientId: string): Promise<StoredCredential | undefined> {
    const row = await this.orm.em.fork().findOne(ApiClient, { clientId });
    return row ? { id: row.clientId, ...row } : undefined;
  }

  async createKey(keyId: string, name: string, secretHash: string, scopes: readonly string[]): Promise<void> {
    const em = this.orm.em.fork();
    em.create(ApiKey, { keyId, name, secretHash, scopes: [...scopes], createdAt: new Date() });
    await em.flush();
  }

  async findKey(keyId: string): Promise<StoredCredential | undefined> {
    const row = await this.orm.em.fork().findOne(ApiKey, { keyId });
    return row ? { id: row.keyId, ...row } : undefined;
  }

  /** Ids of the keys that are not revoked. */
  async activeKeyIds(): Promise<string[]> {
    const rows = await this.orm.em.fork().find(ApiKey, { revokedAt: null }, { fields: ['keyId'] });
    return rows.map((row) => row.keyId);
  }

  /** Ids of the OAuth clients that are not revoked. */
  async activeClientIds(): Promise<string[]> {
    const rows = await this.orm.em.fork().find(ApiClient, { revokedAt: null }, { fields: ['clientId'] });
    return rows.map((row) => row.clientId);
  }

  async listClients(): Promise<StoredCredential[]> {
    const rows = await this.orm.em
      .fork()
      .find(ApiClient, {}, { orderBy: { createdAt: 'asc', clientId: 'asc' } });
    return rows.map((row) => ({ id: row.clientId, ...row }));
  }

  /** Marks a client revoked; false if there is no such client (or it was revoked already). */
  revokeClient(clientId: string): Promise<boolean> {
    return this.#changeActiveClient(clientId, { revokedAt: new Date() });
  }

  /** A new secret for an active client; its earlier tokens become void. */
  rotateClientSecret(clientId: string, secretHash: string): Promise<boolean> {
    return this.#changeActiveClient(clientId, { secretHash, secretRotatedAt: new Date() });
  }

  updateClientScopes(clientId: string, scopes: readonly string[]): Promise<boolean> {
    return this.#changeActiveClient(clientId, { scopes: [...scopes] });
  }

  /** Changes a client that is not revoked; false if there is none. */
  async #changeActiveClient(
    clientId: string,
    changes: { revokedAt?: Date; secretHash?: string; secretRotatedAt?: Date; scopes?: string[] },
  ): Promise<boolean> {
    const updated = await this.orm.em.fork().nativeUpdate(ApiClient, { clientId, revokedAt: null }, changes);
    return updated > 0;
  }

  async listKeys(): Promise<StoredCredential[]> {
    const rows = await this.orm.em.fork().find(ApiKey, {}, { orderBy: { createdAt: 'asc', keyId: 'asc' } });
    return rows.map((row) => ({ id: row.keyId, ...row }));
  }

  /** Marks a key revoked; false if there is no such key (or it was revoked already). */
  async revokeKey(keyId: string): Promise<boolean> {
    const updated = await this.orm.em
      .fork()
      .nativeUpdate(ApiKey, { keyId, revokedAt: null }, { revokedAt: new Date() });
    return updated > 0;
  }
}
