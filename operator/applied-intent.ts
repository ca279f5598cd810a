import { createHash } from 'node:crypto';
import type { KubeObject } from './kube/kube-client.js';

/** Annotation holding a hash of the object the operator last applied. */
export const APPLIED_INTENT_ANNOTATION = 'rosterhub.io/applied-intent';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, field]) => [key, canonical(field)]),
    );
  }
  return value;
}

/**
 * The object with an annotation that hashes everything else in it. A subset check of the live
 * object cannot see a field the operator stopped emitting (the live object still has it, so it
 * still "satisfies" the smaller intent); the hash can. Applying the new intent then lets
 * server-side apply remove what this field manager no longer sets, as it is meant to.
 */
export function withAppliedIntent(object: KubeObject): KubeObject {
  const annotations = Object.fromEntries(
    Object.entries(object.metadata.annotations ?? {}).filter(([key]) => key !== APPLIED_INTENT_ANNOTATION),
  );
  const intent = { ...object, metadata: { ...object.metadata, annotations } };
  const hash = createHash('sha256')
    .update(JSON.stringify(canonical(intent)))
    .digest('hex')
    .slice(0, 16);
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...annotations, [APPLIED_INTENT_ANNOTATION]: hash } },
  };
}
