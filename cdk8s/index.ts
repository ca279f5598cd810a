export {
  synthesize,
  synthesizeDistrict,
  renderYaml,
  defaultNamespace,
  type District,
  type KubernetesObject,
  type SynthesisOptions,
  type ExternalPorts,
} from './synthesize.js';
export { validateInstance } from './validate.js';
export { InstanceValidationError, type SpecIssue } from './instance-validation-error.js';
export {
  RosterHubInstanceSchema,
  RosterHubInstanceSpecSchema,
  rosterHubInstanceApi,
  rosterHubInstanceApiVersion,
  platforms,
  maxInstanceNameLength,
  type RosterHubInstance,
  type RosterHubInstanceSpec,
  type Platform,
} from './spec.js';
export { instanceOpenApiSchema, specOpenApiSchema, type JsonSchemaProps } from './crd-schema.js';
export { renderCrdReference } from './crd-reference.js';
export { InstanceNames, labelKeys, instanceLabels, managedBy } from './names.js';
export type { ManagedServiceProvisioner } from './managed/provisioner.js';
export type { SecretRequirement, DataServiceClaim } from './claims/claim.js';
export { patterns } from './spec/schema-helpers.js';
export { scaledObjectKind } from './constructs/worker-autoscaler.js';
export type { WorkerAutoscalerKind } from './context.js';
