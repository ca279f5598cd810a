/**
 * The operator's RBAC, least privilege, alphabetical by group. The Helm chart's ClusterRole and
 * the cluster tests' identity are generated from these lists; a unit test checks that every kind
 * synthesis can emit is covered.
 */
import { childKinds, groupOf } from './child-kinds.js';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

// no 'update': managed objects are written by server-side apply (patch) and JSON merge patch only
const manage = ['create', 'delete', 'get', 'list', 'patch', 'watch'];

/** Cluster-wide rules (a ClusterRole, bound cluster-wide or per watched namespace). */
export function operatorClusterRules(): PolicyRule[] {
  const rules: PolicyRule[] = [
    { apiGroups: ['rosterhub.io'], resources: ['rosterhubinstances'], verbs: ['get', 'list', 'watch'] },
    {
      apiGroups: ['rosterhub.io'],
      resources: ['rosterhubinstances/status'],
      verbs: ['get', 'patch'],
    },
    // Needed to set blockOwnerDeletion on children's owner references.
    { apiGroups: ['rosterhub.io'], resources: ['rosterhubinstances/finalizers'], verbs: ['update'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  ];
  const byGroup = new Map<string, Set<string>>();
  for (const { apiVersion, plural } of childKinds) {
    const group = groupOf(apiVersion);
    byGroup.set(group, (byGroup.get(group) ?? new Set()).add(plural));
  }
  for (const group of [...byGroup.keys()].sort()) {
    rules.push({ apiGroups: [group], resources: [...(byGroup.get(group) ?? [])].sort(), verbs: manage });
  }
  return rules;
}

/**
 * Rules on cluster-scoped objects, always bound cluster-wide (a RoleBinding in a watched
 * namespace cannot grant them): whether a StorageClass allows volume expansion, before claims
 * are grown.
 */
export function clusterScopedRules(): PolicyRule[] {
  return [{ apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] }];
}

/** Rules in the operator's own namespace: its leader-election Lease. */
export function leaderElectionRules(): PolicyRule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] }];
}

/** The resource (plural) of a kind the operator creates, at exactly this apiVersion. */
export function resourceFor(apiVersion: string, kind: string): string | undefined {
  return childKinds.find((child) => child.apiVersion === apiVersion && child.kind === kind)?.plural;
}
