import { readFileSync, writeFileSync } from 'node:fs';
import {
  instanceOpenApiSchema,
  renderCrdReference,
  specOpenApiSchema,
  type JsonSchemaProps,
} from '../../../cdk8s/index.js';

interface Node {
  type?: string;
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node | boolean;
  default?: unknown;
  required?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string }[];
  [key: string]: unknown;
}

function nodes(schema: Node, path = 'spec'): { path: string; node: Node }[] {
  const found = [{ path, node: schema }];
  for (const [name, child] of Object.entries(schema.properties ?? {}))
    found.push(...nodes(child, `${path}.${name}`));
  if (schema.items) found.push(...nodes(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object')
    found.push(...nodes(schema.additionalProperties, `${path}[*]`));
  return found;
}

const spec = specOpenApiSchema() as Node;
const all = nodes(spec);

describe('CRD openAPIV3Schema generated from the spec', () => {
  it('When converted, then every node is structural: typed, without $ref, $id, const, anyOf or patternProperties', () => {
    for (const { path, node } of all) {
      expect({ path, type: node.type }).toEqual({ path, type: expect.any(String) as string });
      for (const key of ['$ref', '$id', '$schema', 'const', 'anyOf', 'oneOf', 'allOf', 'patternProperties']) {
        expect({ path, has: key in node }).toEqual({ path, has: false });
      }
      expect({ path, closed: node.additionalProperties === false }).toEqual({ path, closed: false });
    }
  });

  it('When converted, then every field has a description (kubectl explain)', () => {
    const undescribed = all.filter(
      ({ path, node }) => !path.endsWith('[]') && !path.endsWith('[*]') && !node.description,
    );
    expect(undescribed.map(({ path }) => path)).toEqual([]);
  });

  it('When a field has a default, then it is not listed as required; spec.version stays required', () => {
    expect(spec.required).toEqual(['version']);
    for (const { path, node } of all) {
      for (const name of node.required ?? []) {
        expect({ field: `${path}.${name}`, default: node.properties?.[name]?.default }).toEqual({
          field: `${path}.${name}`,
          default: undefined,
        });
      }
    }
  });

  it('When closed choices are converted, then they are string enums', () => {
    expect(spec.properties?.platform).toMatchObject({
      type: 'string',
      enum: ['kind', 'aks', 'eks'],
      default: 'kind',
    });
    expect(spec.properties?.database?.properties?.mode).toMatchObject({
      enum: ['inCluster', 'managed', 'external'],
    });
  });

  it('When maps are converted, then they become additionalProperties of strings', () => {
    const labels = spec.properties?.monitoring?.properties?.serviceMonitor?.properties?.labels;
    expect(labels).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
  });

  it('When converted, then the CEL rules guard data-service mode changes (downgrades are a CRD root rule on status.currentVersion)', () => {
    const rules = (node: Node | undefined) =>
      (node?.['x-kubernetes-validations'] ?? []).map((rule) => rule.rule);
    expect(rules(spec.properties?.version)).toEqual([]);
    expect(rules(spec.properties?.database?.properties?.mode)).toEqual(['self == oldSelf']);
    expect(rules(spec.properties?.redis?.properties?.mode)).toEqual(['self == oldSelf']);
    expect(rules(spec)).toEqual(expect.arrayContaining([expect.stringContaining("self.platform != 'kind'")]));
  });

  it('When every string the CEL rules read is checked, then each has a maxLength (CEL cost budget)', () => {
    for (const { path, node } of all) {
      if (node.type === 'string' && !node.enum)
        expect({ path, maxLength: node.maxLength }).toEqual({
          path,
          maxLength: expect.any(Number) as number,
        });
    }
  });

  it('When the whole resource schema is built, then it bounds metadata.name and may carry a status', () => {
    const root = instanceOpenApiSchema({
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    }) as Node;
    expect(root.required).toEqual(['spec']);
    expect(root.properties?.status).toEqual({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(root['x-kubernetes-validations']?.[0]?.rule).toContain('self.metadata.name.size() <= 30');
    expect(instanceOpenApiSchema().properties).not.toHaveProperty('status');
  });

  it('When the schema is serialized, then JSON carries all of it (no symbols or functions left behind)', () => {
    const schema: JsonSchemaProps = specOpenApiSchema();
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('When docs/crd-reference.md is compared with the schema, then it is current (UPDATE_GOLDEN=1 regenerates it)', () => {
    const file = new URL('../../../docs/crd-reference.md', import.meta.url);
    const generated = renderCrdReference();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, generated);
    expect(readFileSync(file, 'utf8')).toBe(generated);
  });
});
