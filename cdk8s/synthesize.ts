import type { ConnectionBudget } from './connection-budget.js';
import { App } from 'cdk8s';
import { stringify } from 'yaml';
import type { SecretRequirement } from './claims/claim.js';
import type { ExternalPorts, InstanceContext, WorkerAutoscalerKind } from './context.js';
import { DistrictChart } from './district-chart.js';
import { InstanceNames } from './names.js';
import { platformProfiles } from './platforms.js';
import type { Platform, RosterHubInstance } from './spec.js';
import { validateInstance } from './validate.js';

export type { ExternalPorts } from './context.js';

/** A Kubernetes object as synthesis emits it (plain JSON, no status). */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** Everything one synthesis yields. */
export interface District {
  /** The validated instance, defaults applied. */
  readonly instance: RosterHubInstance;
  /** Every object, in apply order. */
  readonly objects: readonly KubernetesObject[];
  /** Secrets the objects read but synthesis never creates (the operator generates `generate` ones). */
  readonly requiredSecrets: readonly SecretRequirement[];
  /** Name of the migration Job of `spec.version`. */
  readonly migrationJobName: string;
  /** How the database's connections are shared at the replica bounds. */
  readonly connectionBudget: ConnectionBudget;
}

/** Options of {@link synthesizeDistrict}. */
export interface SynthesisOptions {
  /** Replaces `spec.platform` (what `rosterhub render --platform` does). */
  readonly platform?: Platform;
  /**
   * Ports the external PostgreSQL and Redis listen on, as their Secrets name them (the operator
   * reads them); absent, the default ports. The NetworkPolicies open exactly these.
   */
  readonly externalPorts?: ExternalPorts;
  /** What scales the worker; the operator picks `keda` when the API server serves ScaledObjects. */
  readonly workerAutoscaler?: WorkerAutoscalerKind;
}

/** Namespace of an instance whose metadata names none (kubectl's default). */
export const defaultNamespace = 'default';

// Apply order, after Helm's: policies and identities first, workloads after their
// dependencies, custom resources (whose CRDs may be missing) last.
const kindOrder = [
  'NetworkPolicy',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Job',
  'Deployment',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'CronJob',
  'Ingress',
];

function rank(object: KubernetesObject): number {
  const index = kindOrder.indexOf(object.kind);
  return index === -1 ? kindOrder.length : index;
}

/**
 * Validates a RosterHubInstance (throws `InstanceValidationError` naming every bad field) and
 * synthesizes every object of the district. Pure and deterministic: the same input gives
 * deep-equal output, and the same YAML bytes through {@link renderYaml}.
 */
export function synthesizeDistrict(input: unknown, options: SynthesisOptions = {}): District {
  const withPlatform = options.platform === undefined ? input : overridePlatform(input, options.platform);
  const instance = validateInstance(withPlatform);
  const name = instance.metadata.name;
  const namespace = instance.metadata.namespace ?? defaultNamespace;
  const spec = instance.spec;
  const context: InstanceContext = {
    name,
    namespace,
    spec,
    names: new InstanceNames(name, namespace),
    profile: platformProfiles[spec.platform],
    image: `${spec.image.repository}:${spec.version}`,
    externalPorts: options.externalPorts ?? {},
    workerAutoscaler: options.workerAutoscaler ?? 'hpa',
  };
  const chart = new DistrictChart(new App(), name, { context });
  const synthesized = chart.toJson() as KubernetesObject[];
  const objects = synthesized
    .map((object, index) => ({ object, index }))
    .sort((a, b) => rank(a.object) - rank(b.object) || a.index - b.index)
    .map(({ object }) => object);
  return {
    instance,
    objects,
    requiredSecrets: chart.requiredSecrets,
    migrationJobName: chart.migrationJobName,
    connectionBudget: chart.connectionBudget,
  };
}

/** The objects of a district: what the operator applies and `rosterhub render` prints. */
export function synthesize(input: unknown, options: SynthesisOptions = {}): KubernetesObject[] {
  return [...synthesizeDistrict(input, options).objects];
}

/** Multi-document YAML (YAML 1.1 quoting, as kubectl reads it), one document per object. */
export function renderYaml(objects: readonly KubernetesObject[]): string {
  return objects
    .map((object) => `---\n${stringify(object, { version: '1.1', lineWidth: 0, singleQuote: true })}`)
    .join('');
}

function overridePlatform(input: unknown, platform: Platform): unknown {
  if (typeof input !== 'object' || input === null) return input;
  const document = input as { spec?: unknown };
  const spec = typeof document.spec === 'object' && document.spec !== null ? document.spec : {};
  return { ...document, spec: { ...spec, platform } };
}
