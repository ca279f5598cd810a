import type { CredentialsRepository } from '../data/credentials-repository.js';
import { hashSecret, newApiKey, newClientCredentials, parseScopes } from './credentials.js';

/** What `clients create` prints (the only time the secret is shown). */
export interface CreatedClient {
  clientId: string;
  clientSecret: string;
  name: string;
  scopes: string[];
}

/** What `keys create` prints (the only time the key is shown). */
export interface CreatedKey {
  keyId: string;
  key: string;
  name: string;
  scopes: string[];
}

export interface KeySummary {
  keyId: string;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}

export interface ClientSummary {
  clientId: string;
  name: string;
  scopes: string[];
  createdAt: string;
  secretRotatedAt: string | null;
  revokedAt: string | null;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) throw new Error('the name must be 1 to 200 characters');
  return trimmed;
}

function checkScopes(text: string): string[] {
  const scopes = parseScopes(text);
  if (scopes.length === 0) throw new Error('at least one scope is required');
  return scopes;
}

/** Creating, listing and revoking credentials (the CLI's side of authentication). */
export class CredentialAdmin {
  constructor(private readonly credentials: CredentialsRepository) {}

  async createClient(name: string, scopes: string): Promise<CreatedClient> {
    const scopeList = checkScopes(scopes);
    const { clientId, clientSecret } = newClientCredentials();
    await this.credentials.createClient(clientId, checkName(name), hashSecret(clientSecret), scopeList);
    return { clientId, clientSecret, name: name.trim(), scopes: scopeList };
  }

  createKey(name: string, scopes: string): Promise<CreatedKey> {
    return this.createKeyWithScopes(name, checkScopes(scopes));
  }

  /**
   * A key with the given scopes, unchecked against the rostering scopes (`admin-key` grants
   * the admin scope, which `parseScopes` refuses).
   */
  async createKeyWithScopes(name: string, scopes: string[]): Promise<CreatedKey> {
    const { keyId, secret, key } = newApiKey();
    await this.credentials.createKey(keyId, checkName(name), hashSecret(secret), scopes);
    return { keyId, key, name: name.trim(), scopes };
  }

  async listClients(): Promise<ClientSummary[]> {
    return (await this.credentials.listClients()).map((client) => ({
      clientId: client.id,
      name: client.name,
      scopes: [...client.scopes],
      createdAt: client.createdAt.toISOString(),
      secretRotatedAt: client.secretRotatedAt ? client.secretRotatedAt.toISOString() : null,
      revokedAt: client.revokedAt ? client.revokedAt.toISOString() : null,
    }));
  }

  /** Revokes a client: no new tokens, and its tokens stop working within AUTH_CACHE_MS. */
  revokeClient(clientId: string): Promise<boolean> {
    return this.credentials.revokeClient(clientId);
  }

  /** A new secret, printed once; the old one and the tokens issued with it stop working. */
  async rotateClient(clientId: string): Promise<{ clientId: string; clientSecret: string } | undefined> {
    const { clientSecret } = newClientCredentials();
    const rotated = await this.credentials.rotateClientSecret(clientId, hashSecret(clientSecret));
    return rotated ? { clientId, clientSecret } : undefined;
  }

  /** New scopes for a client; its tokens keep only those still granted. */
  async updateClientScopes(clientId: string, scopes: string): Promise<string[] | undefined> {
    const scopeList = checkScopes(scopes);
    return (await this.credentials.updateClientScopes(clientId, scopeList)) ? scopeList : undefined;
  }

  async listKeys(): Promise<KeySummary[]> {
    return (await this.credentials.listKeys()).map((key) => ({
      keyId: key.id,
      name: key.name,
      scopes: [...key.scopes],
      createdAt: key.createdAt.toISOString(),
      revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
    }));
  }

  revokeKey(keyId: string): Promise<boolean> {
    return this.credentials.revokeKey(keyId);
  }
}
