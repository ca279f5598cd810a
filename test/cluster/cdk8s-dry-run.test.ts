import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { platforms, synthesize, validateInstance, type KubernetesObject } from '../../cdk8s/index.js';
import { cloudSettings, exampleInstance, instance, podTemplates } from '../unit/cdk8s/support.js';
import { rosterHubInstanceCrd } from '../../operator/crd.js';
import { RawApi, type RawObject, type RawResponse } from './cdk8s-raw-api.js';
import { adminKubeConfig, createTestNamespace, waitFor } from './support/cluster.js';

const api = new RawApi(adminKubeConfig());
const fieldManager = 'rosterhub-cdk8s-test';
const restricted = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/warn-version': 'latest',
};

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

async function installDefinition(definition: RawObject): Promise<void> {
  const existing = await api.request('GET', `${crdPath}/${definition.metadata.name}`);
  if (existing.status === 404) {
    const created = await api.request('POST', crdPath, definition);
    // Another test file may have created it meanwhile.
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(
        `creating ${definition.metadata.name}: ${created.status} ${created.body.message ?? ''}`,
      );
    }
  }
  await waitFor(async () => {
    const found = await api.request('GET', `${crdPath}/${definition.metadata.name}`);
    const conditions = ((found.body.status ?? {}) as { conditions?: { type: string; status: string }[] })
      .conditions;
    return conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True');
  });
}

const fixtureDefinitions = parseAllDocuments(
  readFileSync(new URL('./fixtures/cdk8s-crds.yaml', import.meta.url), 'utf8'),
).map((document) => document.toJS() as RawObject);

beforeAll(async () => {
  for (const definition of fixtureDefinitions) await installDefinition(definition);
});

function inNamespace(input: Record<string, unknown>, namespace: string): Record<string, unknown> {
  return { ...input, metadata: { ...(input.metadata as object), namespace } };
}

const describeFailure = (object: KubernetesObject, response: RawResponse) =>
  `${object.kind}/${object.metadata.name}: ${response.status} ${response.body.message ?? ''}`;

const cases = [
  ...platforms.map((platform) => ({ label: platform, input: exampleInstance(platform) })),
  {
    label: 'external-s3-secret',
    input: instance({
      platform: 'eks',
      database: { mode: 'external', externalSecretRef: { name: 'pg' } },
      redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      backup: {
        destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 's3-keys' } },
      },
      monitoring: { serviceMonitor: { enabled: false } },
      ...cloudSettings,
    }),
  },
  { label: 'suspended', input: instance({ suspend: true, platform: 'aks' }) },
];

describe.each(cases)(
  'synthesized objects of the $label instance on a real API server',
  ({ label, input }) => {
    it('When every object is applied server-side as a dry run (strict field validation) in a restricted namespace, then each is accepted without warnings', async () => {
      const namespace = await createTestNamespace(`cdk8s-${label}`, restricted);
      const objects = synthesize(inNamespace(input, namespace));
      const failures: string[] = [];
      const warnings: string[] = [];
      for (const object of objects) {
        const response = await api.apply(object, { dryRun: true, fieldManager });
        if (response.status !== 200 && response.status !== 201)
          failures.push(describeFailure(object, response));
        warnings.push(
          ...response.warnings.map((warning) => `${object.kind}/${object.metadata.name}: ${warning}`),
        );
      }
      expect(failures).toEqual([]);
      expect(warnings).toEqual([]);
      expect(objects.length).toBeGreaterThan(15);
    });

    it('When every pod template is created as a Pod (dry run) in a namespace enforcing restricted, then each is admitted', async () => {
      const namespace = await createTestNamespace(`cdk8s-pods-${label}`, restricted);
      const objects = synthesize(inNamespace(input, namespace));
      // Pods need their ServiceAccounts to exist (admission checks); create those for real.
      for (const account of objects.filter((object) => object.kind === 'ServiceAccount')) {
        const response = await api.apply(account, { dryRun: false, fieldManager });
        expect(describeFailure(account, response)).toMatch(/: 20[01] /);
      }
      const failures: string[] = [];
      for (const { owner, template } of podTemplates(objects)) {
        // StatefulSet Pods get their claim volumes from volumeClaimTemplates; add them by hand.
        const claimVolumes = owner.startsWith('StatefulSet/')
          ? [{ name: 'data', persistentVolumeClaim: { claimName: `data-${owner.split('/')[1]}-0` } }]
          : [];
        const spec = template.spec!;
        const pod: RawObject = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${owner.split('/')[1]}-probe`,
            namespace,
            labels: template.metadata?.labels ?? {},
          },
          spec: {
            ...(spec as unknown as Record<string, unknown>),
            volumes: [...(spec.volumes ?? []), ...claimVolumes],
          },
        };
        const response = await api.create(pod, { dryRun: true });
        if (response.status !== 201)
          failures.push(`${owner}: ${response.status} ${response.body.message ?? ''}`);
      }
      expect(failures).toEqual([]);

      // The namespace really enforces: a Pod without the restricted settings is refused.
      const loose = await api.create(
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'loose', namespace },
          spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] },
        },
        { dryRun: true },
      );
      expect(loose.status).toBe(403);
      expect(loose.body.message).toContain('violates PodSecurity "restricted:latest"');
    });
  },
);

describe('the RosterHubInstance schema as a CRD on a real API server', () => {
  let namespace: string;
  let group: string;
  let plural: string;

  beforeAll(async () => {
    namespace = await createTestNamespace('cdk8s-crd');
    group = `${namespace}.cdk8s-test.rosterhub.io`;
    plural = 'rosterhubinstances';
    // The real CRD, under a group of this test's own so that it cannot meet the operator's.
    const crd = rosterHubInstanceCrd() as unknown as RawObject & { spec: Record<string, unknown> };
    await installDefinition({
      ...crd,
      metadata: { name: `${plural}.${group}` },
      spec: { ...crd.spec, group },
    });
  });

  afterAll(async () => {
    await api.request('DELETE', `${crdPath}/${plural}.${group}`);
  });

  const collection = () => `/apis/${group}/v1alpha1/namespaces/${namespace}/${plural}`;
  const asCustom = (input: Record<string, unknown>, name: string) => ({
    ...input,
    apiVersion: `${group}/v1alpha1`,
    metadata: { name, namespace },
  });

  it('When an example instance is created, then the API server fills in exactly the defaults the TypeScript validation fills in', async () => {
    for (const platform of platforms) {
      const created = await api.request(
        'POST',
        collection(),
        asCustom(exampleInstance(platform), `defaults-${platform}`),
      );
      expect({ platform, status: created.status, message: created.body.message }).toEqual({
        platform,
        status: 201,
        message: undefined,
      });
      expect(created.body.spec).toEqual(validateInstance(exampleInstance(platform)).spec);
    }
  });

  it('When spec.version goes below the serving version or a data-service mode changes, then the update is refused', async () => {
    const created = await api.request('POST', collection(), asCustom(instance(), 'transitions'));
    expect(created.status).toBe(201);
    const patch = (body: unknown) =>
      api.request('PATCH', `${collection()}/transitions`, body, 'application/merge-patch+json');
    const serving = await api.request(
      'PATCH',
      `${collection()}/transitions/status`,
      { status: { currentVersion: '1.4.2' } },
      'application/merge-patch+json',
    );
    expect(serving.status).toBe(200);
    const downgrade = await patch({ spec: { version: '1.4.1' } });
    expect(downgrade.status).toBe(422);
    expect(downgrade.body.message).toContain('spec.version may not go below status.currentVersion');
    // a pre-release of the serving version is lower than it
    expect((await patch({ spec: { version: '1.4.2-rc.1' } })).status).toBe(422);
    expect((await patch({ spec: { version: '1.5.0-rc.1' } })).status).toBe(200);
    // an upgrade whose migration failed never became currentVersion: setting it back is allowed
    expect((await patch({ spec: { version: '1.4.2' } })).status).toBe(200);
    expect((await patch({ spec: { version: '1.5.0-rc.1' } })).status).toBe(200);
    // versions compare by number, not as text: 1.10.0 is above 1.9.3
    await api.request(
      'PATCH',
      `${collection()}/transitions/status`,
      { status: { currentVersion: '1.9.3' } },
      'application/merge-patch+json',
    );
    expect((await patch({ spec: { version: '1.10.0' } })).status).toBe(200);
    expect((await patch({ spec: { version: '1.9.2' } })).status).toBe(422);
    const mode = await patch({ spec: { redis: { mode: 'external', externalSecretRef: { name: 'cache' } } } });
    expect(mode.status).toBe(422);
    expect(mode.body.message).toContain('spec.redis.mode');
    expect(mode.body.message).toContain('mode is immutable');
    const shrink = await patch({ spec: { database: { storage: { size: '5Gi' } } } });
    expect(shrink.status).toBe(422);
    expect(shrink.body.message).toContain('size may not shrink');
  });

  it.each([
    ['managed on kind', { database: { mode: 'managed' } }],
    ['min above max workers', { worker: { minReplicas: 5, maxReplicas: 2 } }],
    ['requests above limits', { api: { resources: { requests: { cpu: '2' } } } }],
    ['external without a Secret', { database: { mode: 'external' } }],
    ['managed on aks without Azure settings', { platform: 'aks', redis: { mode: 'managed' } }],
    ['managed on eks without a subnet group', { platform: 'eks', database: { mode: 'managed' } }],
    ['s3 without credentials', { backup: { destination: { type: 's3', s3: { bucket: 'backups' } } } }],
    [
      'workload identity on kind',
      { backup: { destination: { type: 's3', s3: { bucket: 'backups' }, useWorkloadIdentity: true } } },
    ],
  ])(
    'When the spec has %s, then the API server and validateInstance refuse it with the same message',
    async (_case, spec) => {
      let expected = '';
      try {
        validateInstance(instance(spec));
      } catch (error) {
        expected = (error as Error).message.split('\n')[1]!.replace(/^\s+\S+: /, '');
      }
      expect(expected).not.toBe('');
      const name = `rule-${_case.replaceAll(' ', '-')}`.slice(0, 30).replace(/-+$/, '');
      const created = await api.request('POST', collection(), asCustom(instance(spec), name));
      expect(created.status).toBe(422);
      expect(created.body.message).toContain(expected);
    },
  );

  it('When metadata.name is longer than derived names allow, then the instance is refused', async () => {
    const created = await api.request('POST', collection(), asCustom(instance(), 'a'.repeat(31)));
    expect(created.status).toBe(422);
    expect(created.body.message).toContain('at most 30 characters');
  });
});
