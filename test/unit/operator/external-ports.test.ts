import { validateInstance } from '../../../cdk8s/index.js';
import type { KubeObject } from '../../../operator/kube/kube-client.js';
import { readExternalPorts } from '../../../operator/external-ports.js';
import { instance } from '../cdk8s/support.js';

const secret = (values: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'x', namespace: 'd' },
  data: Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
});

const external = {
  database: { mode: 'external', externalSecretRef: { name: 'pg' } },
  redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
};

describe('readExternalPorts', () => {
  it('When the external Secrets name ports, then those ports are what synthesis gets', async () => {
    const secrets: Record<string, KubeObject> = {
      pg: secret({ port: '6432' }),
      cache: secret({ port: ' 6380\n' }),
    };
    const ports = await readExternalPorts(validateInstance(instance(external)), (name) =>
      Promise.resolve(secrets[name]),
    );
    expect(ports).toEqual({ postgres: 6432, redis: 6380 });
  });

  it('When a Secret is missing or its port is not a TCP port, then that service keeps its default', async () => {
    const secrets: Record<string, KubeObject> = { cache: secret({ port: '70000' }) };
    const ports = await readExternalPorts(validateInstance(instance(external)), (name) =>
      Promise.resolve(secrets[name]),
    );
    expect(ports).toEqual({});
  });

  it('When the data services run in the cluster, then no Secret is read', async () => {
    const read: string[] = [];
    const ports = await readExternalPorts(validateInstance(instance()), (name) => {
      read.push(name);
      return Promise.resolve(undefined);
    });
    expect(ports).toEqual({});
    expect(read).toEqual([]);
  });
});
