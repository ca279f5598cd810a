/** `docs/crd-reference.md`, generated from the CRD schema (a unit test fails on drift). */
import { instanceOpenApiSchema } from './crd-schema.js';
import { maxInstanceNameLength, rosterHubInstanceApi, rosterHubInstanceApiVersion } from './spec.js';

/** The parts of a structural schema node the reference shows. */
interface SchemaNode {
  type?: string;
  enum?: unknown[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  'x-kubernetes-validations'?: { rule: string; message: string; fieldPath?: string }[];
}

interface Row {
  field: string;
  type: string;
  defaultValue: string;
  description: string;
}

interface RuleRow {
  field: string;
  rule: string;
  message: string;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function typeOf(schema: SchemaNode, required: boolean): string {
  const parts: string[] = [];
  if (schema.enum) parts.push(`enum: ${schema.enum.map((value) => `\`${String(value)}\``).join(', ')}`);
  else if (schema.type === 'array' && schema.items) parts.push(`list of ${typeOf(schema.items, false)}`);
  else if (schema.type === 'object' && schema.additionalProperties) {
    parts.push(`map of ${typeOf(schema.additionalProperties, false)}`);
  } else parts.push(schema.type ?? 'any');
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    parts.push(`${schema.minimum ?? ''}–${schema.maximum ?? ''}`);
  }
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  if (required) parts.push('**required**');
  return parts.join(', ');
}

function walk(schema: SchemaNode, field: string, required: boolean, rows: Row[], rules: RuleRow[]): void {
  rows.push({
    field,
    type: typeOf(schema, required),
    defaultValue:
      schema.default === undefined
        ? ''
        : schema.type === 'object' && schema.properties
          ? "its fields' defaults"
          : `\`${JSON.stringify(schema.default)}\``,
    description: schema.description ?? '',
  });
  for (const rule of (schema['x-kubernetes-validations'] ?? []) as {
    rule: string;
    message: string;
    fieldPath?: string;
  }[]) {
    rules.push({ field: `${field}${rule.fieldPath ?? ''}`, rule: rule.rule, message: rule.message });
  }
  const requiredNames = new Set(schema.required ?? []);
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    walk(child, `${field}.${name}`, requiredNames.has(name), rows, rules);
  }
}

/** The Markdown reference of every field and validation rule of RosterHubInstance. */
export function renderCrdReference(): string {
  const root = instanceOpenApiSchema() as SchemaNode;
  const rows: Row[] = [];
  const rules: RuleRow[] = [];
  for (const rule of root['x-kubernetes-validations'] ?? []) {
    rules.push({ field: 'metadata.name', rule: rule.rule, message: rule.message });
  }
  const spec = root.properties?.spec;
  if (spec) walk(spec, 'spec', true, rows, rules);
  const lines = [
    '# RosterHubInstance reference',
    '',
    '<!-- Generated from cdk8s/spec.ts by renderCrdReference() in cdk8s/crd-reference.ts. Do not edit:',
    '     `UPDATE_GOLDEN=1 make test-unit` rewrites it, and the unit tests fail when it drifts. -->',
    '',
    `\`apiVersion: ${rosterHubInstanceApiVersion}\`, \`kind: ${rosterHubInstanceApi.kind}\`, namespaced, ` +
      `short name \`${rosterHubInstanceApi.shortNames.join('`, `')}\`. ` +
      `\`metadata.name\` is a DNS-1035 label of at most ${maxInstanceNameLength} characters.`,
    '',
    'Fields with a default are filled in by the API server (and by `rosterhub render`), so only',
    '`spec.version` is required. Descriptions are also what `kubectl explain rosterhubinstance.spec` shows.',
    '',
    '## Fields',
    '',
    '| Field | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.field}\` | ${cell(row.type)} | ${cell(row.defaultValue)} | ${cell(row.description)} |`,
    ),
    '',
    '## Validation rules',
    '',
    'CEL rules (`x-kubernetes-validations`) the API server enforces; rules without `oldSelf` are also',
    'checked by `rosterhub render` and before every synthesis. Rules with `oldSelf` apply to updates only.',
    '',
    '| Field | Rule | Message |',
    '| --- | --- | --- |',
    ...rules.map((rule) => `| \`${rule.field}\` | \`${cell(rule.rule)}\` | ${cell(rule.message)} |`),
    '',
  ];
  return lines.join('\n');
}
