import { createHash, randomBytes } from 'node:crypto';
import { instanceLabels, type SecretRequirement } from '../cdk8s/index.js';
import type { KubeClient, KubeObject, OwnerReference } from './kube/kube-client.js';
import { FIELD_MANAGER } from './field-manager.js';

/** A random URL-safe value: safe in connection URLs without escaping. */
function randomValue(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * A required Secret that keeps its part from working: it does not exist, or it exists without
 * some of the keys the pods read.
 */
export interface MissingSecret extends SecretRequirement {
  /**
   * Unset: the Secret does not exist. Set: it exists and these required keys are absent or hold
   * an empty value. Key names only: a Secret's values never leave {@link lackingKeys}.
   */
  readonly lacks?: readonly string[];
}

export interface SecretCheck {
  /**
   * Required Secrets that do not exist (those someone else must provide) or exist without some
   * required keys (any origin).
   */
  missing: MissingSecret[];
  /** Generated Secrets created by this call. */
  created: string[];
  /**
   * Per Secret a person or a provisioner provides: a digest of the required keys' values, so
   * that a rotated password or key can roll the Pods that read it (never the values).
   */
  digests: Map<string, string>;
}

/** A digest of the values of `keys` in a Secret (sha256, hex). */
function digestOf(secret: KubeObject, keys: readonly string[]): string {
  const data = (secret.data ?? {}) as Record<string, string | undefined>;
  const hash = createHash('sha256');
  for (const key of [...keys].sort()) hash.update(`${key}\0${data[key] ?? ''}\0`);
  return hash.digest('hex');
}

/**
 * The required `keys` a live Secret lacks: absent from its `data`, or empty once decoded (blank
 * counts as empty). The pods read each key into an environment variable (`secretKeyRef`): an
 * absent key keeps the container from starting, and an empty host, port or password only fails
 * later, inside the app, with a less helpful error. Values are decoded only to test them for
 * emptiness; only key names are returned.
 */
export function lackingKeys(secret: KubeObject, keys: readonly string[]): string[] {
  const data = typeof secret.data === 'object' && secret.data !== null ? secret.data : {};
  return keys.filter((key) => {
    const encoded = (data as Record<string, unknown>)[key];
    return typeof encoded !== 'string' || Buffer.from(encoded, 'base64').toString('utf8').trim() === '';
  });
}

/**
 * Creates a generated Secret with random values: `'created'`, or the Secret someone created
 * meanwhile (409: another replica, or a person), read by name and kept as it is.
 */
async function createGenerated(
  client: KubeClient,
  namespace: string,
  requirement: SecretRequirement,
  labels: Record<string, string>,
  ownerReferences: OwnerReference[],
): Promise<KubeObject | 'created'> {
  const data = Object.fromEntries(
    requirement.keys.map((key) => [key, Buffer.from(randomValue()).toString('base64')]),
  );
  try {
    await client.create(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: requirement.name, namespace, labels, ownerReferences },
        type: 'Opaque',
        data,
      },
      FIELD_MANAGER,
    );
    return 'created';
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
    // Created and deleted again between the two requests: the work queue retries.
    const live = await client.get('v1', 'Secret', namespace, requirement.name);
    if (!live) throw error;
    return live;
  }
}

/**
 * Creates the Secrets synthesis asks the operator to generate (once: an existing one is never
 * regenerated, or the database would lock its own app out), keeps their owner references in
 * step with the deletion policy, and reports the ones a person or provisioner must provide that
 * are absent, and any required Secret that lacks some of its keys.
 *
 * `existing` is the label-selected Secret cache: it holds the Secrets the operator applies or
 * creates (the FieldExport's receptacle, generated credentials). A Secret a person or a
 * provisioner such as ASO writes carries no operator label, and neither does a Secret to be
 * generated that a GitOps user made by hand instead; so when the cache does not have a required
 * Secret, it is read by name (`get`, which the operator's role already grants on Secrets): one
 * request per such Secret per reconcile, and its data is held only for the key check. A Secret
 * to be generated is created only when that read finds nothing. One found by name is the
 * person's: its keys are checked like any other's, but it is never changed (no data, label or
 * owner reference is written), so it costs no write and outlives the instance.
 */
export async function ensureSecrets(
  client: KubeClient,
  namespace: string,
  instance: string,
  requirements: readonly SecretRequirement[],
  existing: (name: string) => KubeObject | undefined,
  ownerFor: (name: string) => OwnerReference[],
): Promise<SecretCheck> {
  const missing: MissingSecret[] = [];
  const created: string[] = [];
  const digests = new Map<string, string>();
  const lacking = (requirement: SecretRequirement, live: KubeObject) => {
    const lacks = lackingKeys(live, requirement.keys);
    if (lacks.length > 0) missing.push({ ...requirement, lacks });
  };
  for (const requirement of requirements) {
    const cached = existing(requirement.name);
    const live = cached ?? (await client.get('v1', 'Secret', namespace, requirement.name));
    if (requirement.origin !== 'generate') {
      if (live) {
        lacking(requirement, live);
        digests.set(requirement.name, digestOf(live, requirement.keys));
      } else missing.push(requirement);
      continue;
    }
    const ownerReferences = ownerFor(requirement.name);
    if (!live) {
      const made = await createGenerated(
        client,
        namespace,
        requirement,
        instanceLabels(instance),
        ownerReferences,
      );
      if (made === 'created') created.push(requirement.name);
      else lacking(requirement, made);
      continue;
    }
    // Never regenerated, but one made by hand without a key the pods read is reported.
    lacking(requirement, live);
    // Not in the label-selected cache: made by hand without the operator's label (GitOps), so
    // the person's (or one the cache has yet to catch up with). Never written: no label, no
    // owner reference (it outlives the instance), no data.
    if (!cached) continue;
    const liveOwners = cached.metadata.ownerReferences ?? [];
    if (JSON.stringify(liveOwners.map((o) => o.uid)) !== JSON.stringify(ownerReferences.map((o) => o.uid))) {
      await client.mergePatch(cached, { metadata: { ownerReferences } }, FIELD_MANAGER);
    }
  }
  return { missing, created, digests };
}
