/**
 * The CRD `openAPIV3Schema` of RosterHubInstance, generated from `spec.ts`. The result is a
 * structural schema: every node has a type, no `$ref`/`$id`/`const`/`patternProperties`,
 * string enums instead of `anyOf` literals, object defaults spelled out in full, and
 * `x-kubernetes-validations` (CEL) kept.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RosterHubInstanceSpecSchema, maxInstanceNameLength } from './spec.js';
import { patterns } from './spec/schema-helpers.js';

/** A JSON Schema node as the CRD carries it. */
export type JsonSchemaProps = Record<string, unknown>;

const forbidden = ['$ref', '$id', '$schema', 'allOf', 'oneOf', 'not', 'if', 'then', 'else'];

/** Converts one TypeBox schema node (recursively) into CRD form. */
export function toStructuralSchema(schema: TSchema, path = 'spec'): JsonSchemaProps {
  const source = schema as Record<string, unknown>;
  for (const key of forbidden) {
    if (key in source)
      throw new Error(`toStructuralSchema: ${path} uses "${key}", which a structural schema forbids`);
  }
  const anyOf = source.anyOf as Record<string, unknown>[] | undefined;
  const result: JsonSchemaProps = {};
  if (anyOf) {
    if (!anyOf.every((option) => typeof option.const === 'string')) {
      throw new Error(`toStructuralSchema: ${path} is a union of non-string literals`);
    }
    result.type = 'string';
    result.enum = anyOf.map((option) => option.const);
  }
  for (const [key, value] of Object.entries(source)) {
    switch (key) {
      case 'anyOf':
        break;
      case 'const':
        result.enum = [value];
        break;
      case 'additionalProperties':
        // `false` is the default (pruning); a schema (maps) is kept.
        if (typeof value === 'object')
          result.additionalProperties = toStructuralSchema(value as TSchema, `${path}[*]`);
        break;
      case 'patternProperties': {
        const [valueSchema] = Object.values(value as Record<string, TSchema>);
        if (valueSchema) result.additionalProperties = toStructuralSchema(valueSchema, `${path}[*]`);
        break;
      }
      case 'properties': {
        const properties: Record<string, JsonSchemaProps> = {};
        for (const [name, child] of Object.entries(value as Record<string, TSchema>)) {
          properties[name] = toStructuralSchema(child, `${path}.${name}`);
        }
        result.properties = properties;
        break;
      }
      case 'required': {
        // A field with a default is never missing for the API server; `kubectl explain`
        // should not call it required either.
        const properties = (source.properties ?? {}) as Record<string, Record<string, unknown>>;
        const required = (value as string[]).filter((name) => properties[name]?.default === undefined);
        if (required.length > 0) result.required = required;
        break;
      }
      case 'items':
        result.items = toStructuralSchema(value as TSchema, `${path}[]`);
        break;
      case 'default':
        // The API server checks a default against the CEL rules as written, without first
        // applying the nested defaults, so an object's default is spelled out in full.
        result.default =
          typeof value === 'object' && value !== null && !Array.isArray(value)
            ? Value.Default(schema, structuredClone(value))
            : value;
        break;
      default:
        result[key] = value;
    }
  }
  return result;
}

/** The `spec` schema in CRD form. */
export function specOpenApiSchema(): JsonSchemaProps {
  return toStructuralSchema(RosterHubInstanceSpecSchema);
}

/** Options of {@link instanceOpenApiSchema}. */
export interface InstanceSchemaOptions {
  /** The `status` schema (the operator's); without it, status is not in the schema. */
  readonly status?: JsonSchemaProps;
}

/**
 * The whole `openAPIV3Schema` of a RosterHubInstance CRD version: apiVersion, kind, metadata
 * (name bounded by a root CEL rule, since a CRD may only constrain metadata.name there), spec
 * and, when given, status.
 */
export function instanceOpenApiSchema(options: InstanceSchemaOptions = {}): JsonSchemaProps {
  return {
    type: 'object',
    description:
      'A RosterHub district: the OneRoster API, its workers, PostgreSQL, Redis, backups and monitoring, synthesized from one spec.',
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion of this object (rosterhub.io/v1alpha1).' },
      kind: { type: 'string', description: 'Kind of this object (RosterHubInstance).' },
      metadata: { type: 'object' },
      spec: specOpenApiSchema(),
      ...(options.status ? { status: options.status } : {}),
    },
    'x-kubernetes-validations': [
      {
        rule: `self.metadata.name.size() <= ${maxInstanceNameLength} && self.metadata.name.matches('${patterns.dns1035Label}')`,
        message: `metadata.name must be a DNS-1035 label of at most ${maxInstanceNameLength} characters (derived object names must fit in 63)`,
      },
    ],
  };
}
