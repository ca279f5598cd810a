import { execFile } from 'node:child_process';
import { generateKeyPair } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const generateEcKeyPair = promisify(generateKeyPair);

/** Files of the throw-away PKI of one control plane (all PEM). */
export interface Certificates {
  caCert: string;
  caKey: string;
  /** kube-apiserver's serving certificate (SANs: 127.0.0.1, localhost, 10.0.0.1, kubernetes.default.svc). */
  serverCert: string;
  serverKey: string;
  /** Client certificate of user `admin` in group `system:masters`. */
  adminCert: string;
  adminKey: string;
  /** Service-account token signing key pair. */
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

const OPENSSL_CONFIG = `
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost, IP:10.0.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
`;

/** Where the certificates of a control plane's working folder are. */
export function certificateFiles(dir: string): Certificates {
  const file = (name: string): string => join(dir, name);
  return {
    caCert: file('ca.crt'),
    caKey: file('ca.key'),
    serverCert: file('apiserver.crt'),
    serverKey: file('apiserver.key'),
    adminCert: file('admin.crt'),
    adminKey: file('admin.key'),
    serviceAccountKey: file('sa.key'),
    serviceAccountPublicKey: file('sa.pub'),
  };
}

/** Creates a CA, the API server's serving certificate, an admin client certificate and the SA keys in `dir`. */
export async function createCertificates(dir: string): Promise<Certificates> {
  const files = certificateFiles(dir);
  const config = join(dir, 'openssl.cnf');
  await writeFile(config, OPENSSL_CONFIG);

  // P-256 keys take microseconds; RSA would take a good part of a second each.
  const pairs = await Promise.all(
    [files.caKey, files.serverKey, files.adminKey, files.serviceAccountKey].map(async (path) => {
      const pair = await generateEcKeyPair('ec', {
        namedCurve: 'prime256v1',
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      await writeFile(path, pair.privateKey, { mode: 0o600 });
      return pair;
    }),
  );
  await writeFile(files.serviceAccountPublicKey, pairs[3]!.publicKey);

  const days = ['-days', '3650', '-config', config];
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    files.caKey,
    '-subj',
    '/CN=rosterhub-test-ca',
    ...days,
    '-extensions',
    'ca',
    '-out',
    files.caCert,
  );
  const signed = ['-CA', files.caCert, '-CAkey', files.caKey, ...days];
  await Promise.all([
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      files.serverKey,
      '-subj',
      '/CN=kube-apiserver',
      ...signed,
      '-extensions',
      'server',
      '-out',
      files.serverCert,
    ),
    openssl(
      'req',
      '-x509',
      '-new',
      '-key',
      files.adminKey,
      '-subj',
      '/O=system:masters/CN=admin',
      ...signed,
      '-extensions',
      'client',
      '-out',
      files.adminCert,
    ),
  ]);
  return files;
}

/**
 * Issues a client certificate from the CA of `certs` for `subject` (e.g.
 * `/O=system:nodes/CN=system:node:n1`) into `<dir>/<name>.crt|.key`.
 */
export async function issueClientCertificate(
  certs: Certificates,
  dir: string,
  name: string,
  subject: string,
): Promise<{ cert: string; key: string }> {
  const files = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const config = join(dir, 'openssl.cnf');
  await writeFile(config, OPENSSL_CONFIG);
  const pair = await generateEcKeyPair('ec', {
    namedCurve: 'prime256v1',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await writeFile(files.key, pair.privateKey, { mode: 0o600 });
  await openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    files.key,
    '-subj',
    subject,
    '-CA',
    certs.caCert,
    '-CAkey',
    certs.caKey,
    '-days',
    '3650',
    '-config',
    config,
    '-extensions',
    'client',
    '-out',
    files.cert,
  );
  return files;
}

async function openssl(...args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
  }
}
