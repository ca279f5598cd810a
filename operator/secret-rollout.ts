import { createHash } from 'node:crypto';
import type { KubeObject } from './kube/kube-client.js';

/** Pod-template annotation: a digest of the provided Secrets the Pods read. */
export const SECRET_DIGEST_ANNOTATION = 'rosterhub.io/secret-digest';

interface PodTemplate {
  metadata?: { annotations?: Record<string, string> };
  spec?: unknown;
}

/** The pod template of a Deployment or CronJob: the workloads that roll (not Jobs, StatefulSets). */
function podTemplate(object: KubeObject): PodTemplate | undefined {
  const spec = object.spec as
    { template?: PodTemplate; jobTemplate?: { spec?: { template?: PodTemplate } } } | undefined;
  if (object.kind === 'Deployment') return spec?.template;
  if (object.kind === 'CronJob') return spec?.jobTemplate?.spec?.template;
  return undefined;
}

/** Names of the Secrets a pod spec reads (env, envFrom, volumes). */
function secretsRead(spec: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (value: unknown, key?: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if ((key === 'secretKeyRef' || key === 'secretRef') && typeof record.name === 'string')
      names.add(record.name);
    if (key === 'secret' && typeof record.secretName === 'string') names.add(record.secretName);
    for (const [child, field] of Object.entries(record)) visit(field, child);
  };
  visit(spec);
  return names;
}

/**
 * The object with its pod template annotated with a digest of the provided Secrets it reads
 * (`digests`: Secret name → digest of its values): when a managed password or key rotates, the
 * template changes and the Deployment or CronJob rolls to Pods that read the new value. Jobs
 * (immutable templates) and StatefulSets (whose servers keep the password they were created
 * with) are left as they are.
 */
export function withSecretDigest(object: KubeObject, digests: ReadonlyMap<string, string>): KubeObject {
  const template = podTemplate(object);
  if (!template) return object;
  const read = [...secretsRead(template.spec)].filter((name) => digests.has(name)).sort();
  if (read.length === 0) return object;
  const hash = createHash('sha256');
  for (const name of read) hash.update(`${name}\0${digests.get(name) ?? ''}\0`);
  const copy = structuredClone(object);
  const target = podTemplate(copy);
  if (!target) return object;
  target.metadata = {
    ...target.metadata,
    annotations: {
      ...target.metadata?.annotations,
      [SECRET_DIGEST_ANNOTATION]: hash.digest('hex').slice(0, 16),
    },
  };
  return copy;
}
