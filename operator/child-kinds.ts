/** A kind the operator creates for its instances. */
export interface ChildKind {
  apiVersion: string;
  kind: string;
  /** Resource name (plural), as RBAC and the REST paths spell it. */
  plural: string;
  /**
   * Served by every Kubernetes: its informer must sync before the operator reconciles. The
   * others (CRDs of the Prometheus Operator and of cloud provisioners) are watched whenever
   * the API server serves them, wanted or not, so that prune finds what an earlier spec made.
   */
  builtIn: boolean;
}

const builtIn = (apiVersion: string, kind: string, plural: string): ChildKind => ({
  apiVersion,
  kind,
  plural,
  builtIn: true,
});
const custom = (apiVersion: string, kind: string, plural: string): ChildKind => ({
  apiVersion,
  kind,
  plural,
  builtIn: false,
});

/** Every kind synthesis can emit (a unit test checks), the one list RBAC and the caches come from. */
export const childKinds: readonly ChildKind[] = [
  builtIn('v1', 'ConfigMap', 'configmaps'),
  builtIn('v1', 'Secret', 'secrets'),
  builtIn('v1', 'Service', 'services'),
  builtIn('v1', 'ServiceAccount', 'serviceaccounts'),
  builtIn('v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  builtIn('apps/v1', 'Deployment', 'deployments'),
  builtIn('apps/v1', 'StatefulSet', 'statefulsets'),
  builtIn('batch/v1', 'Job', 'jobs'),
  builtIn('batch/v1', 'CronJob', 'cronjobs'),
  builtIn('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  builtIn('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  builtIn('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  builtIn('networking.k8s.io/v1', 'Ingress', 'ingresses'),
  custom('monitoring.coreos.com/v1', 'ServiceMonitor', 'servicemonitors'),
  custom('keda.sh/v1alpha1', 'ScaledObject', 'scaledobjects'),
  custom('cache.azure.com/v1api20230801', 'Redis', 'redis'),
  custom('dbforpostgresql.azure.com/v1api20240801', 'FlexibleServer', 'flexibleservers'),
  custom('dbforpostgresql.azure.com/v1api20240801', 'FlexibleServersDatabase', 'flexibleserversdatabases'),
  custom(
    'dbforpostgresql.azure.com/v1api20240801',
    'FlexibleServersFirewallRule',
    'flexibleserversfirewallrules',
  ),
  custom('elasticache.services.k8s.aws/v1alpha1', 'CacheParameterGroup', 'cacheparametergroups'),
  custom('elasticache.services.k8s.aws/v1alpha1', 'ReplicationGroup', 'replicationgroups'),
  custom('rds.services.k8s.aws/v1alpha1', 'DBInstance', 'dbinstances'),
  custom('services.k8s.aws/v1alpha1', 'FieldExport', 'fieldexports'),
];

/** The API group of an apiVersion (`''` for the core group). */
export const groupOf = (apiVersion: string): string =>
  apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';

/**
 * Kinds no prune ever deletes: volumes and Secrets hold data (the database, backups, the
 * credentials that open them). They go only with the instance, by the garbage collector, when
 * its deletionPolicy says Delete, or by a person's hand.
 */
export const neverPrunedKinds: ReadonlySet<string> = new Set(['PersistentVolumeClaim', 'Secret']);
