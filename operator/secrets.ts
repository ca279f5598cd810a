import { randomBytes } from 'node:crypto';
import { instanceLabels, type SecretRequirement } from '../cdk8s/index.js';
import type { KubeClient, KubeObject, OwnerReference } from './kube/kube-client.js';
import { FIELD_MANAGER } from './field-manager.js';

/** A random URL-safe value: safe in connection URLs without escaping. */
function randomValue(): string {
  return randomBytes(24).toString('base64url');
}

export interface SecretCheck {
  /** Required Secrets someone else must provide that are missing. */
  missing: SecretRequirement[];
  /** Generated Secrets created by this call. */
  created: string[];
}

/**
 * Creates the Secrets synthesis asks the operator to generate (once: an existing one is never
 * regenerated, or the database would lock its own app out), keeps their owner references in
 * step with the deletion policy, and reports the ones a person or provisioner must provide.
 */
export async function ensureSecrets(
  client: KubeClient,
  namespace: string,
  instance: string,
  requirements: readonly SecretRequirement[],
  existing: (name: string) => KubeObject | undefined,
  ownerFor: (name: string) => OwnerReference[],
): Promise<SecretCheck> {
  const missing: SecretRequirement[] = [];
  const created: string[] = [];
  for (const requirement of requirements) {
    const live = existing(requirement.name);
    if (requirement.origin !== 'generate') {
      if (!live) missing.push(requirement);
      continue;
    }
    const ownerReferences = ownerFor(requirement.name);
    if (!live) {
      const data = Object.fromEntries(
        requirement.keys.map((key) => [key, Buffer.from(randomValue()).toString('base64')]),
      );
      await client
        .create(
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: {
              name: requirement.name,
              namespace,
              labels: instanceLabels(instance),
              ownerReferences,
            },
            type: 'Opaque',
            data,
          },
          FIELD_MANAGER,
        )
        .catch((error: unknown) => {
          // created meanwhile (another replica, or an informer that has not caught up): keep it
          if ((error as { code?: number }).code !== 409) throw error;
        });
      created.push(requirement.name);
      continue;
    }
    const liveOwners = live.metadata.ownerReferences ?? [];
    if (JSON.stringify(liveOwners.map((o) => o.uid)) !== JSON.stringify(ownerReferences.map((o) => o.uid))) {
      await client.mergePatch(live, { metadata: { ownerReferences } }, FIELD_MANAGER);
    }
  }
  return { missing, created };
}
