/**
 * The operator's RBAC, least privilege, alphabetical by group. The Helm chart's ClusterRole and
 * the cluster tests' identity are generated from these lists; a unit test checks that every kind
 * synthesis can emit is covered.
 */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

// no 'update': managed objects are written by server-side apply (patch) and JSON merge patch only
const manage = ['create', 'delete', 'get', 'list', 'patch', 'watch'];

/** Kinds the operator creates, by API group: kind → resource (plural). */
export const managedResources: Record<string, Record<string, string>> = {
  '': {
    ConfigMap: 'configmaps',
    PersistentVolumeClaim: 'persistentvolumeclaims',
    Secret: 'secrets',
    Service: 'services',
    ServiceAccount: 'serviceaccounts',
  },
  apps: { Deployment: 'deployments', StatefulSet: 'statefulsets' },
  autoscaling: { HorizontalPodAutoscaler: 'horizontalpodautoscalers' },
  batch: { CronJob: 'cronjobs', Job: 'jobs' },
  'cache.azure.com': { Redis: 'redis' },
  'dbforpostgresql.azure.com': {
    FlexibleServer: 'flexibleservers',
    FlexibleServersDatabase: 'flexibleserversdatabases',
    FlexibleServersFirewallRule: 'flexibleserversfirewallrules',
  },
  'elasticache.services.k8s.aws': {
    CacheParameterGroup: 'cacheparametergroups',
    ReplicationGroup: 'replicationgroups',
  },
  'monitoring.coreos.com': { ServiceMonitor: 'servicemonitors' },
  'networking.k8s.io': { Ingress: 'ingresses', NetworkPolicy: 'networkpolicies' },
  policy: { PodDisruptionBudget: 'poddisruptionbudgets' },
  'rds.services.k8s.aws': { DBInstance: 'dbinstances' },
  'services.k8s.aws': { FieldExport: 'fieldexports' },
};

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
  for (const [group, kinds] of Object.entries(managedResources)) {
    rules.push({ apiGroups: [group], resources: Object.values(kinds).sort(), verbs: manage });
  }
  return rules;
}

/** Rules in the operator's own namespace: its leader-election Lease. */
export function leaderElectionRules(): PolicyRule[] {
  return [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] }];
}

export function resourceFor(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
  return managedResources[group]?.[kind];
}
