import { synthesize, synthesizeDistrict } from '../../../cdk8s/index.js';
import { cloudSettings, instance } from './support.js';

/** The NetworkPolicy fields the tests read (client-node renames `from` to `_from`). */
interface Policy {
  spec?: {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes?: string[];
    ingress?: { from?: { podSelector?: { matchExpressions?: unknown[] } }[]; ports?: unknown[] }[];
    egress?: { to?: unknown[]; ports?: unknown[] }[];
  };
}

function policies(spec: Record<string, unknown> = {}): Map<string, Policy> {
  return new Map(
    synthesize(instance(spec))
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => [o.metadata.name.replace('district-a-', ''), o as unknown as Policy]),
  );
}

const instancePods = { 'app.kubernetes.io/name': 'rosterhub', 'app.kubernetes.io/instance': 'district-a' };

describe('NetworkPolicies', () => {
  it('When synthesized, then every Pod of the instance is denied all ingress and egress by default', () => {
    const deny = policies().get('default-deny');
    expect(deny?.spec).toEqual({
      podSelector: { matchLabels: instancePods },
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('When synthesized, then the Pods may resolve names on port 53 wherever the resolver is (kube-dns, NodeLocal DNSCache, a host-network resolver)', () => {
    const dns = policies().get('allow-dns');
    expect(dns?.spec?.egress).toEqual([
      {
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
    ]);
  });

  it('When synthesized, then the API accepts traffic on its http port and its health port (probes, Prometheus) only', () => {
    const api = policies().get('allow-api-ingress');
    expect(api?.spec?.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/component': 'api' });
    expect(api?.spec?.ingress).toEqual([
      {
        ports: [
          { protocol: 'TCP', port: 'http' },
          { protocol: 'TCP', port: 'health' },
        ],
      },
    ]);
  });

  it('When the data services are in the cluster, then app Pods reach them and they admit only app Pods', () => {
    const all = policies();
    expect(all.get('allow-postgres-egress')?.spec?.egress?.[0]?.to).toEqual([
      { podSelector: { matchLabels: { ...instancePods, 'app.kubernetes.io/component': 'postgres' } } },
    ]);
    const ingress = all.get('allow-postgres-ingress')?.spec?.ingress?.[0];
    expect(ingress?.ports).toEqual([{ protocol: 'TCP', port: 'postgres' }]);
    expect(ingress?.from?.[0]?.podSelector?.matchExpressions).toEqual([
      {
        key: 'app.kubernetes.io/component',
        operator: 'In',
        values: ['api', 'worker', 'migration', 'backup'],
      },
    ]);
    expect(
      all.get('allow-redis-ingress')?.spec?.ingress?.[0]?.from?.[0]?.podSelector?.matchExpressions,
    ).toEqual([{ key: 'app.kubernetes.io/component', operator: 'In', values: ['api', 'worker'] }]);
  });

  it('When the data services are managed, then app Pods may leave the cluster on their ports only, and no ingress policy is made for them', () => {
    const all = policies({
      platform: 'aks',
      database: { mode: 'managed' },
      redis: { mode: 'managed' },
      ...cloudSettings,
    });
    expect(all.has('allow-postgres-ingress')).toBe(false);
    expect(all.has('allow-redis-ingress')).toBe(false);
    expect(all.get('allow-postgres-egress')?.spec?.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      },
    ]);
    expect(all.get('allow-redis-egress')?.spec?.egress?.[0]?.ports).toEqual([
      { protocol: 'TCP', port: 6380 },
    ]);
  });

  it('When the data services are external, then app Pods may reach the ports their Secrets name, else the default ports', () => {
    const spec = {
      database: { mode: 'external', externalSecretRef: { name: 'pg' } },
      redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
    };
    const egressPorts = (objects: ReturnType<typeof synthesize>, name: string) =>
      (
        objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `district-a-${name}`) as
          { spec: { egress: { ports: unknown[] }[] } } | undefined
      )?.spec.egress[0]?.ports;
    const named = synthesizeDistrict(instance(spec), {
      externalPorts: { postgres: 6432, redis: 6380 },
    }).objects;
    expect(egressPorts([...named], 'allow-postgres-egress')).toEqual([{ protocol: 'TCP', port: 6432 }]);
    expect(egressPorts([...named], 'allow-redis-egress')).toEqual([{ protocol: 'TCP', port: 6380 }]);
    const unnamed = synthesizeDistrict(instance(spec)).objects;
    expect(egressPorts([...unnamed], 'allow-postgres-egress')).toEqual([{ protocol: 'TCP', port: 5432 }]);
    expect(egressPorts([...unnamed], 'allow-redis-egress')).toEqual([
      { protocol: 'TCP', port: 6379 },
      { protocol: 'TCP', port: 6380 },
    ]);
  });

  it('When backups go to object storage, then backup Pods alone may use HTTPS out of the cluster', () => {
    expect(policies().has('allow-backup-egress')).toBe(false);
    const all = policies({
      backup: { destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 'k' } } },
    });
    const backup = all.get('allow-backup-egress');
    expect(backup?.spec?.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/component': 'backup' });
    expect(backup?.spec?.egress?.[0]?.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
  });

  it.each([
    ['s3', { s3: { bucket: 'backups', endpoint: 'http://minio.storage.svc:9000' } }, 9000],
    ['s3', { s3: { bucket: 'backups', endpoint: 'http://ceph.storage.svc' } }, 80],
    [
      'azureBlob',
      { azureBlob: { storageAccount: 'dev', container: 'backups', endpoint: 'http://azurite:10000' } },
      10000,
    ],
  ])(
    'When backups go to a %s-compatible endpoint, then backup Pods may reach that endpoint’s port too',
    (type, destination, port) => {
      const backup = policies({
        backup: { destination: { type, ...destination, credentialsSecretRef: { name: 'k' } } },
      }).get('allow-backup-egress');
      expect(backup?.spec?.egress?.[0]?.ports).toEqual([
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port },
      ]);
    },
  );

  it('When an EKS backup uses workload identity, then backup Pods may also reach the node’s Pod Identity agent on port 80, and nothing else there', () => {
    const backup = policies({
      platform: 'eks',
      aws: { ...cloudSettings.aws, iamRoleArn: 'arn:aws:iam::123456789012:role/backup' },
      backup: { destination: { type: 's3', s3: { bucket: 'backups' }, useWorkloadIdentity: true } },
    }).get('allow-backup-egress');
    expect(backup?.spec?.egress).toEqual([
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
        ports: [{ protocol: 'TCP', port: 443 }],
      },
      {
        to: [{ ipBlock: { cidr: '169.254.170.23/32' } }, { ipBlock: { cidr: 'fd00:ec2::23/128' } }],
        ports: [{ protocol: 'TCP', port: 80 }],
      },
    ]);
  });

  it('When an EKS backup uses a credentials Secret, or an AKS backup uses workload identity, then backup Pods get HTTPS out only', () => {
    for (const spec of [
      {
        platform: 'eks',
        aws: { ...cloudSettings.aws, iamRoleArn: 'arn:aws:iam::123456789012:role/backup' },
        backup: {
          destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 'k' } },
        },
      },
      {
        platform: 'aks',
        azure: { ...cloudSettings.azure, workloadIdentityClientId: '0d3b9c2e-1111-4a6a-9c3a-5f0e7a1b2c3d' },
        backup: {
          destination: {
            type: 'azureBlob',
            azureBlob: { storageAccount: 'dev', container: 'backups' },
            useWorkloadIdentity: true,
          },
        },
      },
    ]) {
      expect(policies(spec).get('allow-backup-egress')?.spec?.egress).toHaveLength(1);
    }
  });
});
