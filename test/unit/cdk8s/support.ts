import type {
  V1CronJob,
  V1Deployment,
  V1Job,
  V1PodTemplateSpec,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { KubernetesObject, Platform } from '../../../cdk8s/index.js';

/** Folder of the golden files and the example instances they come from. */
export const goldenDir = new URL('./golden/', import.meta.url);

/** The example instance of a platform (`golden/<platform>.instance.yaml`). */
export function exampleInstance(platform: Platform): Record<string, unknown> {
  return parse(readFileSync(new URL(`${platform}.instance.yaml`, goldenDir), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** A minimal valid instance with `spec` merged over `{ version: '1.4.2' }`. */
export function instance(spec: Record<string, unknown> = {}, name = 'district-a'): Record<string, unknown> {
  return {
    apiVersion: 'rosterhub.io/v1alpha1',
    kind: 'RosterHubInstance',
    metadata: { name, namespace: 'districts' },
    spec: { version: '1.4.2', ...spec },
  };
}

/** Settings that make `managed` valid on every cloud platform. */
export const cloudSettings = {
  azure: { location: 'eastus2', resourceGroup: 'rg' },
  aws: { dbSubnetGroupName: 'private', cacheSubnetGroupName: 'private' },
};

/** The one object of a kind (and name, when given); fails unless there is exactly one. */
export function single(objects: readonly KubernetesObject[], kind: string, name?: string): KubernetesObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  const [first] = found;
  if (found.length !== 1 || first === undefined) {
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${found.length}`);
  }
  return first;
}

/** The one Deployment with this name. */
export function deployment(objects: readonly KubernetesObject[], name: string): V1Deployment {
  return single(objects, 'Deployment', name);
}

/** Every pod template of the objects, with the object it belongs to. */
export function podTemplates(
  objects: readonly KubernetesObject[],
): { owner: string; template: V1PodTemplateSpec }[] {
  const templates: { owner: string; template: V1PodTemplateSpec }[] = [];
  for (const object of objects) {
    const owner = `${object.kind}/${object.metadata.name}`;
    let template: V1PodTemplateSpec | undefined;
    if (object.kind === 'Deployment') template = (object as unknown as V1Deployment).spec?.template;
    if (object.kind === 'StatefulSet') template = (object as unknown as V1StatefulSet).spec?.template;
    if (object.kind === 'Job') template = (object as unknown as V1Job).spec?.template;
    if (object.kind === 'CronJob')
      template = (object as unknown as V1CronJob).spec.jobTemplate.spec?.template;
    if (template) templates.push({ owner, template });
  }
  return templates;
}
