import { Migration } from '@mikro-orm/migrations';

/**
 * OAuth 2.0 clients and long-lived API keys. Only SHA-256 hashes of their secrets are stored:
 * the secrets are 256-bit random values, for which a slow hash buys nothing.
 */
export class Migration0003Credentials extends Migration {
  override name = '0003-credentials';

  override up(): void {
    this.addSql(`create table api_clients (
      client_id text collate "C" primary key,
      name text not null,
      secret_hash text not null,
      scopes text[] not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`);
    this.addSql(`create table api_keys (
      key_id text collate "C" primary key,
      name text not null,
      secret_hash text not null,
      scopes text[] not null,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`);
  }

  override down(): void {
    this.addSql('drop table api_keys, api_clients');
  }
}
