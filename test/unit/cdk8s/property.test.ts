import fc from 'fast-check';
import { parseAllDocuments } from 'yaml';
import { InstanceValidationError, renderYaml, synthesize } from '../../../cdk8s/index.js';
import { podTemplates } from './support.js';

const cpu = ['100m', '250m', '500m', '1', '2'];
const memory = ['128Mi', '256Mi', '512Mi', '1Gi', '2Gi'];

/** Requests at or below limits, by picking indexes in ordered lists. */
const resources = fc
  .record({ cpu: fc.tuple(fc.nat(4), fc.nat(4)), memory: fc.tuple(fc.nat(4), fc.nat(4)) })
  .map(({ cpu: [c1, c2], memory: [m1, m2] }) => ({
    requests: { cpu: cpu[Math.min(c1, c2)]!, memory: memory[Math.min(m1, m2)]! },
    limits: { cpu: cpu[Math.max(c1, c2)]!, memory: memory[Math.max(m1, m2)]! },
  }));

const semver = fc
  .tuple(
    fc.nat(30),
    fc.nat(30),
    fc.nat(30),
    fc.option(fc.stringMatching(/^[a-z]{1,6}(\.[0-9]{1,3})?$/), { nil: undefined }),
  )
  .map(([major, minor, patch, pre]) => `${major}.${minor}.${patch}${pre ? `-${pre}` : ''}`);

const dataService = (platform: string, secret: string) =>
  fc
    .constantFrom(...(platform === 'kind' ? ['inCluster', 'external'] : ['inCluster', 'external', 'managed']))
    .chain((mode) =>
      fc.record({
        mode: fc.constant(mode),
        resources,
        deletionPolicy: fc.constantFrom('Retain', 'Delete'),
        instanceSize: fc.constantFrom('small', 'medium', 'large'),
        storage: fc.record({ size: fc.constantFrom('1Gi', '10Gi', '100Gi', '1500M') }),
        ...(mode === 'external' ? { externalSecretRef: fc.constant({ name: secret }) } : {}),
      }),
    );

const backup = (platform: string) =>
  fc.constantFrom('pvc', 's3', 'azureBlob').chain((type) => {
    const identityPossible =
      (type === 's3' && platform === 'eks') || (type === 'azureBlob' && platform === 'aks');
    return fc.record({
      enabled: fc.boolean(),
      schedule: fc.constantFrom('0 2 * * *', '*/30 * * * *', '15 3 * * 0'),
      retentionDays: fc.integer({ min: 1, max: 3650 }),
      destination: fc.boolean().map((useIdentity) => ({
        type,
        ...(type === 's3' ? { s3: { bucket: 'district-backups' } } : {}),
        ...(type === 'azureBlob'
          ? { azureBlob: { storageAccount: 'districtbackups', container: 'rosterhub' } }
          : {}),
        ...(type === 'pvc'
          ? {}
          : useIdentity && identityPossible
            ? { useWorkloadIdentity: true }
            : { credentialsSecretRef: { name: 'backup-credentials' } }),
      })),
    });
  });

/** Random instances that satisfy every rule of the spec. */
const validInstance = fc
  .record({
    name: fc.stringMatching(/^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/),
    namespace: fc.option(fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/), { nil: undefined }),
    platform: fc.constantFrom('kind', 'aks', 'eks'),
  })
  .chain(({ name, namespace, platform }) =>
    fc
      .record({
        version: semver,
        platform: fc.constant(platform),
        suspend: fc.boolean(),
        api: fc.record({
          replicas: fc.integer({ min: 1, max: 50 }),
          resources,
          ingress: fc.option(
            fc.record({
              host: fc.constantFrom('oneroster.example.org', 'api.district.example'),
              tls: fc.option(fc.constant({ secretName: 'tls' }), { nil: undefined }),
            }),
            { nil: undefined },
          ),
        }),
        worker: fc
          .tuple(
            fc.integer({ min: 1, max: 100 }),
            fc.integer({ min: 1, max: 100 }),
            fc.integer({ min: 10, max: 100 }),
          )
          .map(([a, b, target]) => ({
            minReplicas: Math.min(a, b),
            maxReplicas: Math.max(a, b),
            targetCPUUtilizationPercentage: target,
          })),
        database: dataService(platform, 'pg'),
        redis: dataService(platform, 'cache'),
        backup: backup(platform),
        monitoring: fc.record({
          serviceMonitor: fc.record({
            enabled: fc.boolean(),
            labels: fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9]{0,8}$/), {
              maxKeys: 3,
            }),
          }),
          dashboards: fc.record({ enabled: fc.boolean() }),
        }),
        azure: fc.constant({
          location: 'eastus2',
          resourceGroup: 'rg',
          workloadIdentityClientId: '00000000-0000-0000-0000-000000000001',
        }),
        aws: fc.constant({
          dbSubnetGroupName: 'private',
          cacheSubnetGroupName: 'private',
          iamRoleArn: 'arn:aws:iam::123456789012:role/backup',
        }),
      })
      .map((spec) => ({
        apiVersion: 'rosterhub.io/v1alpha1',
        kind: 'RosterHubInstance',
        metadata: { name, ...(namespace === undefined ? {} : { namespace }) },
        spec,
      })),
  );

/** The parts of a generated spec that the breakages change. */
interface BreakableSpec {
  version: unknown;
  platform: unknown;
  api: Record<string, unknown>;
  worker: Record<string, unknown>;
  database: Record<string, unknown>;
  redis: Record<string, unknown>;
  backup: Record<string, unknown>;
  monitoring: { serviceMonitor: Record<string, unknown> };
}

/** One change that breaks a valid instance, and the field the error must name. */
const breakages: { path: string; apply: (input: { spec: BreakableSpec }) => void }[] = [
  { path: 'spec.version', apply: (i) => (i.spec.version = 'v1') },
  { path: 'spec.platform', apply: (i) => (i.spec.platform = 'openshift') },
  { path: 'spec.api.replicas', apply: (i) => (i.spec.api.replicas = 0) },
  { path: 'spec.api.surprise', apply: (i) => (i.spec.api.surprise = true) },
  {
    path: 'spec.worker.minReplicas',
    apply: (i) => Object.assign(i.spec.worker, { minReplicas: 9, maxReplicas: 3 }),
  },
  { path: 'spec.database.mode', apply: (i) => (i.spec.database.mode = 'cloud') },
  {
    path: 'spec.redis.resources.requests',
    apply: (i) => (i.spec.redis.resources = { requests: { cpu: '4' }, limits: { cpu: '1' } }),
  },
  { path: 'spec.backup.retentionDays', apply: (i) => (i.spec.backup.retentionDays = 0) },
  { path: 'spec.backup.schedule', apply: (i) => (i.spec.backup.schedule = 'every night') },
  {
    path: 'spec.monitoring.serviceMonitor.interval',
    apply: (i) => (i.spec.monitoring.serviceMonitor.interval = 'soon'),
  },
];

describe('property: synthesis of random specs', () => {
  it('When a random valid spec is synthesized, then it succeeds with well-formed, restricted objects, and twice gives identical bytes', () => {
    fc.assert(
      fc.property(validInstance, (input) => {
        const objects = synthesize(input);
        const yaml = renderYaml(objects);
        expect(renderYaml(synthesize(structuredClone(input)))).toBe(yaml);
        expect(parseAllDocuments(yaml).map((document) => document.toJS() as unknown)).toEqual(objects);
        for (const object of objects) {
          expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
          expect(object.metadata.name.length).toBeLessThanOrEqual(63);
          expect(object.metadata.namespace).toBe(input.metadata.namespace ?? 'default');
        }
        for (const { template } of podTemplates(objects)) {
          expect(template.spec?.securityContext?.runAsNonRoot).toBe(true);
          expect(template.spec?.automountServiceAccountToken).toBe(false);
          for (const container of template.spec?.containers ?? []) {
            expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
          }
        }
        const worker = objects.find((o) => o.kind === 'Deployment' && o.metadata.name.endsWith('-worker'));
        const hasAutoscaler = objects.some((o) => o.kind === 'HorizontalPodAutoscaler');
        expect(hasAutoscaler).toBe(true);
        expect(worker?.spec).toEqual(expect.not.objectContaining({ replicas: expect.anything() as unknown }));
      }),
      { numRuns: 100 },
    );
  });

  it('When a random valid spec is broken in one field, then synthesis is refused naming that field', () => {
    fc.assert(
      fc.property(validInstance, fc.constantFrom(...breakages), (input, breakage) => {
        const broken = structuredClone(input) as unknown as { spec: BreakableSpec };
        breakage.apply(broken);
        let error: unknown;
        try {
          synthesize(broken);
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(InstanceValidationError);
        expect((error as InstanceValidationError).issues.map((issue) => issue.path)).toContain(breakage.path);
      }),
      { numRuns: 100 },
    );
  });
});
