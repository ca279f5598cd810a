import { type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { InstanceValidationError, type SpecIssue } from './instance-validation-error.js';
import { RosterHubInstanceSchema, type RosterHubInstance } from './spec.js';
import { RuleChecks, patterns, type SpecRule } from './spec/schema-helpers.js';

const patternWords = new Map<string, string>([
  [patterns.semver, 'a semantic version such as 1.4.2'],
  [patterns.cpu, 'a CPU quantity such as 250m or 1'],
  [patterns.bytes, 'a byte quantity such as 512Mi or 10Gi'],
  [patterns.cron, 'a five-field cron expression such as "0 2 * * *"'],
  [patterns.duration, 'a duration such as 30s or 1m'],
  [patterns.hostname, 'a host name such as oneroster.district.example'],
  [patterns.dnsSubdomain, 'a lowercase RFC 1123 name (letters, digits, "-" and ".")'],
  [patterns.dnsLabel, 'a lowercase RFC 1123 label (letters, digits and "-")'],
  [patterns.dns1035Label, 'a lowercase name that starts with a letter (letters, digits and "-")'],
]);

let compiled: TypeCheck<typeof RosterHubInstanceSchema> | undefined;

/**
 * Applies the schema defaults to a RosterHubInstance document and validates it, structure
 * first, then the cross-field rules (the TypeScript mirrors of the CRD's CEL rules). Returns a
 * defaulted copy; throws `InstanceValidationError` listing every issue with its field path.
 */
export function validateInstance(input: unknown): RosterHubInstance {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InstanceValidationError([{ path: '', message: 'must be a RosterHubInstance object' }]);
  }
  const value: unknown = Value.Default(RosterHubInstanceSchema, structuredClone(input));
  compiled ??= TypeCompiler.Compile(RosterHubInstanceSchema);
  const issues = compiled.Check(value) ? [] : structuralIssues(compiled.Errors(value));
  if (issues.length === 0) collectRuleIssues(RosterHubInstanceSchema, value, '', issues);
  if (issues.length > 0) throw new InstanceValidationError(issues);
  return value as RosterHubInstance;
}

function structuralIssues(errors: Iterable<ValueError>): SpecIssue[] {
  const byPath = new Map<string, string>();
  for (const error of errors) {
    const path = fieldPath(error.path);
    if (!byPath.has(path)) byPath.set(path, describe(error));
  }
  return [...byPath].map(([path, message]) => ({ path, message }));
}

/** `/spec/image/pullSecrets/0` → `spec.image.pullSecrets[0]`. */
function fieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^[0-9]+$/.test(segment)) path += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) path += path === '' ? segment : `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function describe(error: ValueError): string {
  const schema = error.schema as Record<string, unknown>;
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return 'is required';
    case ValueErrorType.ObjectAdditionalProperties:
      return 'is not a known field';
    case ValueErrorType.Union: {
      const options = (schema.anyOf as { const?: unknown }[] | undefined)?.map((option) => option.const);
      return options?.every((option) => typeof option === 'string')
        ? `must be one of: ${options.join(', ')}`
        : error.message;
    }
    case ValueErrorType.Literal:
      return `must be ${JSON.stringify(schema.const)}`;
    case ValueErrorType.StringPattern: {
      const pattern = String(schema.pattern);
      return `must be ${patternWords.get(pattern) ?? `a string matching ${pattern}`}`;
    }
    case ValueErrorType.StringMaxLength:
      return `must be at most ${String(schema.maxLength)} characters`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return `must be at least ${String(schema.minimum)}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return `must be at most ${String(schema.maximum)}`;
    case ValueErrorType.ArrayMaxItems:
      return `may hold at most ${String(schema.maxItems)} items`;
    case ValueErrorType.ObjectMaxProperties:
      return `may hold at most ${String(schema.maxProperties)} entries`;
    case ValueErrorType.Integer:
      return 'must be an integer';
    case ValueErrorType.String:
      return 'must be a string';
    case ValueErrorType.Boolean:
      return 'must be true or false';
    case ValueErrorType.Object:
      return 'must be an object';
    case ValueErrorType.Array:
      return 'must be a list';
    default:
      return error.message;
  }
}

function collectRuleIssues(schema: TSchema, value: unknown, path: string, issues: SpecIssue[]): void {
  const rules = (schema as { [RuleChecks]?: SpecRule<unknown>[] })[RuleChecks] ?? [];
  for (const rule of rules) {
    if (rule.holds && !rule.holds(value)) {
      issues.push({ path: `${path}${rule.fieldPath ?? ''}`.replace(/^\./, ''), message: rule.message });
    }
  }
  const properties = (schema as { properties?: Record<string, TSchema> }).properties;
  if (properties && typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(properties)) {
      const childValue = (value as Record<string, unknown>)[key];
      if (childValue !== undefined) collectRuleIssues(child, childValue, `${path}.${key}`, issues);
    }
  }
}
