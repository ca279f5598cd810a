import { InstanceValidationError, validateInstance, type SpecIssue } from '../../../cdk8s/index.js';
import { cloudSettings, instance } from './support.js';

function issuesOf(input: unknown): SpecIssue[] {
  try {
    validateInstance(input);
  } catch (error) {
    if (error instanceof InstanceValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('expected the instance to be rejected');
}

describe('validateInstance', () => {
  it('When only spec.version is given, then every default of the schema is filled in', () => {
    const { spec } = validateInstance(instance());
    expect(spec.platform).toBe('kind');
    expect(spec.suspend).toBe(false);
    expect(spec.image).toEqual({
      repository: 'ghcr.io/rosterhub/rosterhub',
      pullPolicy: 'IfNotPresent',
      pullSecrets: [],
    });
    expect(spec.api.replicas).toBe(2);
    expect(spec.api.resources).toEqual({
      requests: { cpu: '250m', memory: '384Mi' },
      limits: { cpu: '1', memory: '512Mi' },
    });
    expect(spec.worker).toMatchObject({ minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 70 });
    expect(spec.database).toMatchObject({ mode: 'inCluster', version: '16', deletionPolicy: 'Retain' });
    expect(spec.database.storage).toEqual({ size: '10Gi' });
    expect(spec.redis.mode).toBe('inCluster');
    expect(spec.backup).toMatchObject({
      enabled: true,
      schedule: '0 2 * * *',
      timeZone: 'Etc/UTC',
      retentionDays: 14,
    });
    expect(spec.backup.destination).toMatchObject({
      type: 'pvc',
      useWorkloadIdentity: false,
      pvc: { size: '20Gi' },
    });
    expect(spec.monitoring.serviceMonitor).toEqual({ enabled: true, labels: {}, interval: '30s' });
    expect(spec.monitoring.dashboards).toEqual({ enabled: false, labels: { grafana_dashboard: '1' } });
    expect(spec.oneroster).toEqual({ maxPageSize: 10000, rateLimit: { requests: 6000, windowSeconds: 60 } });
  });

  it('When a field is partly given, then its siblings still get their defaults', () => {
    const { spec } = validateInstance(instance({ api: { resources: { limits: { memory: '1Gi' } } } }));
    expect(spec.api.resources).toEqual({
      requests: { cpu: '250m', memory: '384Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it('When the input is validated, then the input object itself is left unchanged', () => {
    const input = instance();
    const copy = structuredClone(input);
    validateInstance(input);
    expect(input).toEqual(copy);
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['no version', { version: undefined }, 'spec.version', /is required/],
    ['a non-semver version', { version: 'v1.2' }, 'spec.version', /semantic version/],
    ['an unknown platform', { platform: 'gke' }, 'spec.platform', /one of: kind, aks, eks/],
    ['an unknown field', { api: { replica: 3 } }, 'spec.api.replica', /not a known field/],
    ['zero API replicas', { api: { replicas: 0 } }, 'spec.api.replicas', /at least 1/],
    [
      'a CPU quantity that is not one',
      { worker: { resources: { requests: { cpu: 'lots' } } } },
      'spec.worker.resources.requests.cpu',
      /CPU quantity/,
    ],
    [
      'requests above limits',
      { api: { resources: { requests: { memory: '2Gi' } } } },
      'spec.api.resources.requests',
      /may not exceed limits/,
    ],
    [
      'min above max workers',
      { worker: { minReplicas: 5, maxReplicas: 2 } },
      'spec.worker.minReplicas',
      /may not exceed maxReplicas/,
    ],
    [
      'an external database without a Secret',
      { database: { mode: 'external' } },
      'spec.database.externalSecretRef',
      /required when mode is external/,
    ],
    [
      'a Secret for an inCluster Redis',
      { redis: { externalSecretRef: { name: 'x' } } },
      'spec.redis.externalSecretRef',
      /only allowed when mode is external/,
    ],
    ['managed services on kind', { database: { mode: 'managed' } }, 'spec.platform', /need a cloud platform/],
    [
      'managed on aks without Azure settings',
      { platform: 'aks', redis: { mode: 'managed' } },
      'spec.azure',
      /location and spec.azure.resourceGroup/,
    ],
    [
      'managed on eks without a subnet group',
      { platform: 'eks', database: { mode: 'managed' } },
      'spec.aws',
      /dbSubnetGroupName/,
    ],
    [
      's3 without a bucket',
      { backup: { destination: { type: 's3', useWorkloadIdentity: true } } },
      'spec.backup.destination.s3',
      /required when type is s3/,
    ],
    [
      's3 without credentials',
      { backup: { destination: { type: 's3', s3: { bucket: 'backups' } } } },
      'spec.backup.destination.credentialsSecretRef',
      /exactly one/,
    ],
    [
      'credentials for a pvc',
      { backup: { destination: { credentialsSecretRef: { name: 'x' } } } },
      'spec.backup.destination.type',
      /neither/,
    ],
    [
      'workload identity on kind',
      { backup: { destination: { type: 's3', s3: { bucket: 'backups' }, useWorkloadIdentity: true } } },
      'spec.backup.destination.useWorkloadIdentity',
      /needs platform eks/,
    ],
    [
      'a bad ingress host',
      { api: { ingress: { host: 'Not A Host' } } },
      'spec.api.ingress.host',
      /host name/,
    ],
    ['a bad cron schedule', { backup: { schedule: 'daily' } }, 'spec.backup.schedule', /cron/],
    [
      'too many pull secrets',
      { image: { pullSecrets: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] } },
      'spec.image.pullSecrets',
      /at most 8/,
    ],
    [
      'a label value that is not a string',
      { monitoring: { serviceMonitor: { labels: { 'example.com/team': 1 } } } },
      'spec.monitoring.serviceMonitor.labels["example.com/team"]',
      /must be a string/,
    ],
  ])('When the spec has %s, then it is rejected naming %s', (_case, spec, path, message) => {
    // JSON drops the `undefined` that stands for "field absent".
    const issues = issuesOf(JSON.parse(JSON.stringify(instance(spec))));
    expect(issues).toContainEqual({ path, message: expect.stringMatching(message) as string });
  });

  it('When several fields are wrong, then every one is reported at once', () => {
    const issues = issuesOf(
      instance({ platform: 'gke', api: { replicas: 0 }, backup: { retentionDays: 0 } }),
    );
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['spec.platform', 'spec.api.replicas', 'spec.backup.retentionDays']),
    );
  });

  it('When metadata.name is too long or apiVersion is wrong, then those fields are named', () => {
    const issues = issuesOf({ ...instance({}, 'a'.repeat(31)), apiVersion: 'rosterhub.io/v1' });
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(['metadata.name', 'apiVersion']),
    );
  });

  it('When the document is not an object, then the error says what was expected', () => {
    expect(issuesOf('version: 1')).toEqual([{ path: '', message: 'must be a RosterHubInstance object' }]);
    expect(() => validateInstance(null)).toThrow(/RosterHubInstance object/);
  });

  it('When managed services have their cloud settings, then aks and eks accept them', () => {
    for (const platform of ['aks', 'eks']) {
      expect(() =>
        validateInstance(
          instance({ platform, database: { mode: 'managed' }, redis: { mode: 'managed' }, ...cloudSettings }),
        ),
      ).not.toThrow();
    }
  });

  it('When the error is printed, then each line names a field', () => {
    expect(() => validateInstance(instance({ api: { replicas: 0 } }))).toThrow(
      'invalid RosterHubInstance:\n  spec.api.replicas: must be at least 1',
    );
  });
});
