import { DEFAULT_MAX_UPLOAD_BYTES } from '../../../lib/uploads.js';
import { parseAllDocuments } from 'yaml';
import { renderYaml, synthesize, synthesizeDistrict } from '../../../cdk8s/index.js';
import { exampleInstance, instance } from './support.js';

describe('synthesize', () => {
  it('When the same spec is synthesized twice, then the YAML is byte-identical', () => {
    const input = exampleInstance('aks');
    expect(renderYaml(synthesize(input))).toBe(renderYaml(synthesize(structuredClone(input))));
  });

  it('When the API has no Ingress, then links use the API Service’s cluster DNS name, never a Pod address or a caller’s Host', () => {
    const objects = synthesize(instance({ platform: 'kind' }));
    const appConfig = objects.find(
      (object) => object.kind === 'ConfigMap' && (object as { data?: { HOST?: string } }).data?.HOST === '::',
    ) as { data: Record<string, string> } | undefined;
    const api = objects.find((object) => object.kind === 'Service' && object.metadata.name.endsWith('-api'));
    expect(api).toBeDefined();
    expect(appConfig?.data.PUBLIC_BASE_URL).toBe(`http://${api?.metadata.name}.districts.svc`);
  });

  it('When Redis runs in the cluster, then the response cache may fill a quarter of its maxmemory, leaving the rest to the import queue and tokens', () => {
    const appConfig = synthesize(
      instance({ platform: 'kind', redis: { resources: { limits: { memory: '512Mi' } } } }),
    ).find(
      (object) => object.kind === 'ConfigMap' && (object as { data?: { HOST?: string } }).data?.HOST === '::',
    ) as { data: Record<string, string> } | undefined;
    expect(Number(appConfig?.data.RESPONSE_CACHE_REDIS_BYTES)).toBe(Math.floor((512 * 2 ** 20 * 0.8) / 4));
  });

  it('When synthesized, then the input is not modified', () => {
    const input = exampleInstance('eks');
    const copy = structuredClone(input);
    synthesize(input);
    expect(input).toEqual(copy);
  });

  it('When synthesized, then policies and identities come first and custom resources last', () => {
    const kinds = synthesize(exampleInstance('eks')).map((o) => o.kind);
    expect(kinds[0]).toBe('NetworkPolicy');
    expect(kinds.indexOf('ServiceAccount')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('Job')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.slice(-1)).toEqual(['ServiceMonitor']);
    expect(kinds.indexOf('DBInstance')).toBeGreaterThan(kinds.indexOf('Ingress'));
  });

  it('When synthesized, then every object is namespaced, labelled as managed by the operator and uniquely named', () => {
    const objects = synthesize(exampleInstance('kind'));
    const keys = objects.map((o) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('districts');
      expect(object.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': 'district-a',
        'app.kubernetes.io/managed-by': 'rosterhub-operator',
      });
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
    }
  });

  it('When the instance names no namespace, then everything goes to "default"', () => {
    const { metadata, ...rest } = instance();
    const objects = synthesize({ ...rest, metadata: { name: (metadata as { name: string }).name } });
    expect(new Set(objects.map((o) => o.metadata.namespace))).toEqual(new Set(['default']));
  });

  it('When a platform is forced, then the profile of that platform is used', () => {
    const ingressOf = (platform?: 'eks') =>
      synthesize(exampleInstance('kind'), platform ? { platform } : {}).find(
        (o) => o.kind === 'Ingress',
      ) as unknown as {
        spec: { ingressClassName: string };
        metadata: { annotations?: Record<string, string> };
      };
    expect(ingressOf().spec.ingressClassName).toBe('nginx');
    expect(ingressOf('eks').spec.ingressClassName).toBe('alb');
    expect(ingressOf('eks').metadata.annotations?.['alb.ingress.kubernetes.io/target-type']).toBe('ip');
  });

  it('When the Ingress is NGINX (kind, AKS application routing), then it lets a CSV package of the API’s upload limit through, not NGINX’s 1 MB', () => {
    for (const platform of ['kind', 'aks'] as const) {
      const ingress = synthesize(exampleInstance(platform)).find((o) => o.kind === 'Ingress') as unknown as {
        metadata: { annotations?: Record<string, string> };
      };
      expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-body-size']).toBe(
        `${DEFAULT_MAX_UPLOAD_BYTES / 2 ** 20}m`,
      );
    }
  });

  it('When synthesized, then no Secret carries data (Secrets only by reference)', () => {
    for (const platform of ['kind', 'aks', 'eks'] as const) {
      for (const secret of synthesize(exampleInstance(platform)).filter((o) => o.kind === 'Secret')) {
        expect(Object.keys(secret).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'type']);
      }
    }
  });

  it('When rendered, then the YAML parses back to the same objects, one document each', () => {
    const objects = synthesize(exampleInstance('kind'));
    const documents = parseAllDocuments(renderYaml(objects));
    expect(documents.map((document) => document.toJS() as unknown)).toEqual(objects);
  });

  it('When rendered, then strings a YAML 1.1 reader would take for booleans or numbers stay quoted', () => {
    const yaml = renderYaml(synthesize(instance()));
    expect(yaml).toContain("- 'yes'");
    expect(yaml).toContain("PORT: '3000'");
  });

  it('When the district is synthesized, then the migration Job name is reported for the operator', () => {
    const district = synthesizeDistrict(instance());
    expect(
      district.objects.some((o) => o.kind === 'Job' && o.metadata.name === district.migrationJobName),
    ).toBe(true);
    expect(district.instance.spec.platform).toBe('kind');
  });
});
