import { stringify } from 'yaml';
import {
  instanceOpenApiSchema,
  patterns,
  rosterHubInstanceApi,
  type JsonSchemaProps,
} from '../cdk8s/index.js';
import { ConditionType } from './conditions.js';
import { phases } from './reconcile/status.js';

const conditionSchema: JsonSchemaProps = {
  type: 'object',
  description: 'One aspect of the instance’s state (metav1.Condition).',
  required: ['type', 'status', 'reason', 'message', 'lastTransitionTime'],
  properties: {
    type: {
      type: 'string',
      description: `One of ${Object.values(ConditionType).join(', ')}.`,
      maxLength: 316,
    },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
    reason: { type: 'string', maxLength: 1024, description: 'CamelCase reason for the last transition.' },
    message: { type: 'string', maxLength: 32768, description: 'What a person should know, and do.' },
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      minimum: 0,
      description: 'The spec generation this condition describes.',
    },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When status last changed.' },
  },
};

/** The `status` the operator writes; `kubectl explain rhi.status` reads these descriptions. */
export const statusSchema: JsonSchemaProps = {
  type: 'object',
  description: 'Observed state, written by the operator only.',
  properties: {
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      description: 'The spec generation the operator last acted on.',
    },
    phase: {
      type: 'string',
      enum: [...phases],
      description: 'One-word summary of the conditions.',
    },
    currentVersion: {
      type: 'string',
      maxLength: 64,
      description:
        'The RosterHub version serving now: migrated, and its API and worker Deployments rolled out and available.',
    },
    lastSuccessfulBackup: {
      type: 'string',
      format: 'date-time',
      description: 'When the last scheduled backup succeeded.',
    },
    conditions: {
      type: 'array',
      description: `${Object.values(ConditionType).join(', ')}.`,
      items: conditionSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
    endpoints: {
      type: 'object',
      description: 'Where the OneRoster API answers.',
      properties: {
        api: { type: 'string', description: 'In-cluster URL of the API Service.' },
        ingress: { type: 'string', description: 'External URL, when spec.api.ingress is set.' },
      },
    },
  },
};

/** CEL: the `i`-th number (major 0, minor 1, patch 2) of a semantic version held in `text`. */
const versionPart = (text: string, i: number) => `int(${text}.split('-')[0].split('+')[0].split('.')[${i}])`;

/** CEL: version `a` is not lower than `b` (both semantic versions), by the rules below. */
function notLowerThan(a: string, b: string): string {
  const [a0, a1, a2] = [0, 1, 2].map((i) => versionPart(a, i));
  const [b0, b1, b2] = [0, 1, 2].map((i) => versionPart(b, i));
  const sameCore = `${a0} == ${b0} && ${a1} == ${b1} && ${a2} == ${b2}`;
  const higherCore = `${a0} > ${b0} || (${a0} == ${b0} && (${a1} > ${b1} || (${a1} == ${b1} && ${a2} > ${b2})))`;
  // a pre-release of the serving release is lower; pre-releases of one release are not ordered
  const preReleaseOfRelease = `${a}.split('+')[0].contains('-') && !${b}.split('+')[0].contains('-')`;
  return `(${higherCore}) || (${sameCore} && !(${preReleaseOfRelease}))`;
}

/**
 * Versions may not go below the one serving: a downgrade would run old code on a newer schema.
 * Setting spec.version back after a failed migration is allowed, since the failed version never
 * became `status.currentVersion`. Written with string functions every supported Kubernetes has
 * (the CEL semver library needs 1.33), comparing major, minor and patch as numbers.
 */
const noDowngradeRule = {
  rule:
    `!has(oldSelf.status) || !has(oldSelf.status.currentVersion) || ` +
    `!oldSelf.status.currentVersion.matches('${patterns.semver.replaceAll('\\', '\\\\')}') || ` +
    notLowerThan('self.spec.version', 'oldSelf.status.currentVersion'),
  message:
    'spec.version may not go below status.currentVersion (the version serving now): downgrades are refused',
  fieldPath: '.spec.version',
};

/** The `rosterhubinstances.rosterhub.io` CustomResourceDefinition, generated from the spec’s schema. */
export function rosterHubInstanceCrd(): Record<string, unknown> {
  const { group, version, kind, plural, singular, shortNames } = rosterHubInstanceApi;
  const schema = instanceOpenApiSchema({ status: statusSchema });
  const rules = (schema['x-kubernetes-validations'] as unknown[] | undefined) ?? [];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${group}`,
      labels: { 'app.kubernetes.io/name': 'rosterhub', 'app.kubernetes.io/part-of': 'rosterhub' },
    },
    spec: {
      group,
      scope: 'Namespaced',
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular,
        shortNames: [...shortNames],
        categories: ['rosterhub'],
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: 'Platform', type: 'string', jsonPath: '.spec.platform' },
            {
              name: 'Version',
              type: 'string',
              jsonPath: '.status.currentVersion',
              description: 'Version serving now',
            },
            { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
            { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
            { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
          ],
          schema: { openAPIV3Schema: { ...schema, 'x-kubernetes-validations': [...rules, noDowngradeRule] } },
        },
      ],
    },
  };
}

export function rosterHubInstanceCrdYaml(): string {
  return stringify(rosterHubInstanceCrd(), { lineWidth: 0 });
}
