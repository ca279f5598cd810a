import { defineEntity, p } from '@mikro-orm/core';

/** `api_clients`: OAuth 2.0 client-credentials clients (secret stored as a SHA-256 hash). */
export const ApiClient = defineEntity({
  name: 'ApiClient',
  tableName: 'api_clients',
  properties: {
    clientId: p.string().primary().fieldName('client_id'),
    name: p.string(),
    secretHash: p.string().fieldName('secret_hash'),
    scopes: p.array().columnType('text[]'),
    createdAt: p.datetime().fieldName('created_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
    /** Tokens issued before it are void (`rosterhub clients rotate`). */
    secretRotatedAt: p.datetime().nullable().fieldName('secret_rotated_at'),
  },
});

/** `api_keys`: long-lived `rh_live_` keys (secret stored as a SHA-256 hash). */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    keyId: p.string().primary().fieldName('key_id'),
    name: p.string(),
    secretHash: p.string().fieldName('secret_hash'),
    scopes: p.array().columnType('text[]'),
    createdAt: p.datetime().fieldName('created_at'),
    revokedAt: p.datetime().nullable().fieldName('revoked_at'),
  },
});

/** The ORM's tables here: roster data itself is read and written in SQL (sql-builder, imports). */
export const rosterEntities = [ApiClient, ApiKey];
