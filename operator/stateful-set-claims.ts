import type { ChildCache } from './children.js';
import { FIELD_MANAGER } from './field-manager.js';
import type { KubeClient, KubeObject } from './kube/kube-client.js';
import { quantityValue, satisfies } from './object-diff.js';

interface ClaimTemplate {
  metadata?: { name?: string };
  spec?: { storageClassName?: string; resources?: { requests?: { storage?: string } } };
}

interface StatefulSetSpec {
  replicas?: number;
  volumeClaimTemplates?: ClaimTemplate[];
}

interface StorageClass extends KubeObject {
  allowVolumeExpansion?: boolean;
}

const specOf = (object: KubeObject) => (object.spec ?? {}) as StatefulSetSpec;
const sizeOf = (template: ClaimTemplate | undefined) => template?.spec?.resources?.requests?.storage;

/** What to do with a StatefulSet before applying it. */
export type ClaimTemplatePreparation =
  /** Apply the desired object as it is. */
  | { action: 'apply' }
  /** Nothing to apply now: the old StatefulSet is being removed (its Pods stay); look again soon. */
  | { action: 'wait' }
  /** The claims cannot grow: apply the object with the live claim templates, and say why. */
  | { action: 'apply-with-live-claims'; object: KubeObject; message: string };

/**
 * `volumeClaimTemplates` of a StatefulSet are immutable, so a larger `storage.size` cannot be
 * applied. As CloudNativePG does it: grow each existing claim (the StorageClass must allow
 * expansion), delete the StatefulSet with its Pods orphaned, and let the next apply create it
 * anew with the larger templates; it adopts the running Pods, so the server keeps running.
 */
export class StatefulSetClaims {
  constructor(
    private readonly client: KubeClient,
    private readonly children: ChildCache,
  ) {}

  async prepare(desired: KubeObject, live: KubeObject | undefined): Promise<ClaimTemplatePreparation> {
    if (desired.kind !== 'StatefulSet' || !live) return { action: 'apply' };
    if (live.metadata.deletionTimestamp) return { action: 'wait' };
    const wanted = specOf(desired).volumeClaimTemplates ?? [];
    const current = specOf(live).volumeClaimTemplates ?? [];
    if (satisfies(current, wanted)) return { action: 'apply' };

    const namespace = live.metadata.namespace ?? '';
    const replicas = specOf(live).replicas ?? 1;
    const claims: { claim: KubeObject | undefined; name: string; size: string }[] = [];
    for (const template of wanted) {
      const size = sizeOf(template);
      const before = current.find((old) => old.metadata?.name === template.metadata?.name);
      if (size === undefined || sizeOf(before) === size) continue;
      for (let ordinal = 0; ordinal < replicas; ordinal += 1) {
        const name = `${template.metadata?.name ?? ''}-${live.metadata.name}-${ordinal}`;
        claims.push({ claim: this.children.get('v1', 'PersistentVolumeClaim', namespace, name), name, size });
      }
    }
    const refusal = await this.#expansionRefusal(claims.flatMap(({ claim }) => (claim ? [claim] : [])));
    if (refusal) {
      return {
        action: 'apply-with-live-claims',
        object: { ...desired, spec: { ...(desired.spec as object), volumeClaimTemplates: current } },
        message: refusal,
      };
    }
    for (const { claim, name, size } of claims) {
      const request = claim ? sizeOf(claim) : undefined;
      if (claim && (quantityValue(request ?? '0') ?? 0) < (quantityValue(size) ?? 0)) {
        await this.client.mergePatch(
          { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace } },
          { spec: { resources: { requests: { storage: size } } } },
          FIELD_MANAGER,
        );
      }
    }
    await this.client.delete(live, 'Orphan');
    return { action: 'wait' };
  }

  /** Why these claims cannot grow (their StorageClass does not allow expansion), if so. */
  async #expansionRefusal(claims: readonly KubeObject[]): Promise<string | undefined> {
    const classes = new Set(claims.map((claim) => (claim as ClaimTemplate).spec?.storageClassName ?? ''));
    for (const className of classes) {
      const storageClass = className
        ? await this.client.get<StorageClass>('storage.k8s.io/v1', 'StorageClass', undefined, className)
        : undefined;
      if (storageClass?.allowVolumeExpansion === true) continue;
      const names = claims
        .filter((claim) => ((claim as ClaimTemplate).spec?.storageClassName ?? '') === className)
        .map((claim) => claim.metadata.name);
      const why = storageClass
        ? `StorageClass ${className} does not allow volume expansion (allowVolumeExpansion)`
        : `StorageClass ${className || '(none)'} does not exist`;
      return `${why}, so PersistentVolumeClaim ${names.join(', ')} keeps its size; enable expansion on the class (or grow the volume by the storage provider's means), and the operator grows it at the next reconcile`;
    }
    return undefined;
  }
}
