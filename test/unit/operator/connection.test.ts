import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  UnsupportedKubeconfigError,
  kubeconfigConnection,
  loadConnection,
} from '../../../operator/kube/connection.js';

const folder = mkdtempSync(join(tmpdir(), 'rosterhub-connection-'));

function kubeconfig(file: string, user: Record<string, unknown>, server = 'https://127.0.0.1:6443/'): string {
  const path = join(folder, file);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'test',
      contexts: [{ name: 'test', context: { cluster: 'c', user: 'u' } }],
      clusters: [
        { name: 'other', cluster: { server: 'https://wrong:1' } },
        {
          name: 'c',
          cluster: { server, 'certificate-authority-data': Buffer.from('CA').toString('base64') },
        },
      ],
      users: [{ name: 'u', user }],
    }),
  );
  return path;
}

describe('the operator’s own kubeconfig loader', () => {
  it('When the current context authenticates with a token, then requests carry it as a bearer token', async () => {
    const connection = kubeconfigConnection(kubeconfig('token.kubeconfig', { token: 'abc' }));
    expect(connection.server).toBe('https://127.0.0.1:6443');
    expect((await connection.requestOptions()).headers).toEqual({ authorization: 'Bearer abc' });
    connection.close();
  });

  it('When the token is in a file, then the file is read (relative to the kubeconfig)', async () => {
    writeFileSync(join(folder, 'token'), 'from-file\n');
    const connection = kubeconfigConnection(kubeconfig('file.kubeconfig', { tokenFile: 'token' }));
    expect((await connection.requestOptions()).headers.authorization).toBe('Bearer from-file');
    connection.close();
  });

  it('When the user has a client certificate, then no authorization header is sent', async () => {
    const data = (text: string) => Buffer.from(text).toString('base64');
    const connection = kubeconfigConnection(
      kubeconfig('cert.kubeconfig', { 'client-certificate-data': data('C'), 'client-key-data': data('K') }),
    );
    expect((await connection.requestOptions()).headers).toEqual({});
    connection.close();
  });

  it('When the user needs an exec plugin, then the loader says so and loadConnection falls back to client-node', async () => {
    const path = kubeconfig('exec.kubeconfig', { exec: { command: 'kubelogin', apiVersion: 'x' } });
    expect(() => kubeconfigConnection(path)).toThrow(UnsupportedKubeconfigError);
    const connection = await loadConnection({ KUBECONFIG: path });
    expect(connection.server).toBe('https://127.0.0.1:6443');
    connection.close();
  });

  it('When there is no kubeconfig and no in-cluster environment, then loading fails with a clear message', async () => {
    const missing = join(folder, 'missing');
    await expect(loadConnection({ KUBECONFIG: missing, HOME: folder })).rejects.toThrow(
      'no kubeconfig (KUBECONFIG, ~/.kube/config) and not in a cluster',
    );
  });
});
