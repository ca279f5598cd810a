import {
  Type,
  type SchemaOptions,
  type Static,
  type StringOptions,
  type TLiteral,
  type TSchema,
  type TString,
  type TUnion,
} from '@sinclair/typebox';

/** Where the in-process mirror of a CEL rule is kept on a schema node (invisible to JSON). */
export const RuleChecks: unique symbol = Symbol.for('rosterhub.spec.rule-checks');

/** One `x-kubernetes-validations` entry, exactly as the CRD carries it. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  /** Points at the field the message is about, relative to the node holding the rule. */
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired';
}

/**
 * A CEL rule plus, for rules that do not compare with the stored object, the same rule in
 * TypeScript so that `rosterhub render` and the operator reject what the API server rejects.
 */
export interface SpecRule<T> extends CelRule {
  /** Same meaning as `rule`, evaluated on the defaulted value. Absent for transition rules. */
  readonly holds?: (self: T) => boolean;
}

/** A schema node carrying rules; `validateInstance` reads the symbol, the CRD the array. */
export type WithRules<T extends TSchema> = T & {
  'x-kubernetes-validations': CelRule[];
  [RuleChecks]: SpecRule<Static<T>>[];
};

/** Attaches CEL rules (and their TypeScript mirrors) to an object or field schema. */
export function withRules<T extends TSchema>(schema: T, rules: SpecRule<Static<T>>[]): WithRules<T> {
  const node = schema as WithRules<T>;
  node['x-kubernetes-validations'] = rules.map(({ rule, message, fieldPath, reason }) => ({
    rule,
    message,
    ...(fieldPath === undefined ? {} : { fieldPath }),
    ...(reason === undefined ? {} : { reason }),
  }));
  Object.defineProperty(node, RuleChecks, { value: rules, enumerable: false });
  return node;
}

/** A closed set of strings: `anyOf` of literals for TypeBox, an `enum` in the CRD. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnion<TLiteral<T[number]>[]> {
  const literals: TLiteral<T[number]>[] = values.map((value) => Type.Literal(value));
  return Type.Union(literals, options);
}

const dnsLabel = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';

/** Patterns shared by several fields. */
export const patterns = {
  /** RFC 1123 subdomain: names of Secrets, storage classes, ingress classes. */
  dnsSubdomain: `^${dnsLabel}(\\.${dnsLabel})*$`,
  /** RFC 1123 label: namespaces. */
  dnsLabel: `^${dnsLabel}$`,
  /** RFC 1035 label: what Service names need (starts with a letter). */
  dns1035Label: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  /** A host name for an Ingress rule, optionally a leading wildcard. */
  hostname: `^(\\*\\.)?${dnsLabel}(\\.${dnsLabel})+$`,
  /** Semantic Versioning 2.0.0, without a leading `v`. */
  semver:
    '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$',
  /** A CPU quantity: whole or decimal cores, or millicores. */
  cpu: '^([0-9]+(\\.[0-9]+)?|[0-9]+m)$',
  /** A byte quantity with a binary or decimal suffix. */
  bytes: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$',
  /** A five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: '^\\S+( +\\S+){4}$',
  /** A Prometheus duration such as `30s` or `1m`. */
  duration: '^[0-9]+(ms|s|m|h)$',
} as const;

/** A string with a pattern and a length bound (CEL cost estimation needs the bound). */
export function PatternString(pattern: string, maxLength: number, options: StringOptions = {}): TString {
  return Type.String({ pattern, maxLength, ...options });
}

/** A reference to a Secret in the instance's namespace. */
export function SecretRef(description: string) {
  return Type.Object(
    {
      name: PatternString(patterns.dnsSubdomain, 253, { description: 'Name of the Secret.' }),
    },
    { additionalProperties: false, description },
  );
}

/** A string-to-string map such as labels or annotations. */
export function StringMap(description: string, defaultValue?: Record<string, string>) {
  return Type.Record(Type.String({ maxLength: 317 }), Type.String({ maxLength: 4096 }), {
    description,
    maxProperties: 32,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
  });
}
