// A PostgreSQL server on loopback that accepts only TLS connections, with a certificate from a
// throw-away CA (the managed servers' shape: Azure's require_secure_transport, RDS's force_ssl).
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCertificates } from '../cluster/support/certificates.js';
import { freePort } from './free-port.js';
import { giveToServerUser, serverUserCommand } from './server-user.js';

const run = promisify(execFile);

export interface TlsPostgres {
  port: number;
  /** The CA that signed the server certificate (SANs 127.0.0.1 and localhost). */
  caCert: string;
  /** A URL with the given sslmode and, if asked, sslrootcert naming the CA. */
  url(sslmode?: string, withRootCert?: boolean): string;
  stop(): Promise<void>;
}

const binDir = (): string => {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  return join('/usr/lib/postgresql', versions[0] ?? '', 'bin');
};

const asServerUser = (command: string, args: string[]) => run(...serverUserCommand(command, args));

export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'rosterhub-tls-postgres-'));
  chmodSync(dir, 0o755);
  const certs = await createCertificates(join(dir));
  const data = join(dir, 'data');
  const port = await freePort();
  await giveToServerUser(dir);
  await asServerUser(join(binDir(), 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--encoding=UTF8',
  ]);
  copyFileSync(certs.serverCert, join(data, 'server.crt'));
  copyFileSync(certs.serverKey, join(data, 'server.key'));
  chmodSync(join(data, 'server.key'), 0o600);
  await giveToServerUser(join(data, 'server.crt'), join(data, 'server.key'));
  await appendFile(
    join(data, 'postgresql.conf'),
    `port = ${port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nssl = on\nfsync = off\n`,
  );
  // TLS or nothing, over TCP.
  writeFileSync(
    join(data, 'pg_hba.conf'),
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n',
  );
  await asServerUser(join(binDir(), 'pg_ctl'), [
    '-D',
    data,
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    'start',
  ]);
  return {
    port,
    caCert: certs.caCert,
    url(sslmode, withRootCert = false) {
      const params = new URLSearchParams();
      if (sslmode) params.set('sslmode', sslmode);
      if (withRootCert) params.set('sslrootcert', certs.caCert);
      const query = params.size > 0 ? `?${params.toString()}` : '';
      return `postgres://postgres@localhost:${port}/postgres${query}`;
    },
    async stop() {
      await asServerUser(join(binDir(), 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(
        () => undefined,
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
