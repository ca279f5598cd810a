import { synthesizeDistrict, validateInstance, type KubernetesObject } from '../../../cdk8s/index.js';
import { ConditionType, Reason } from '../../../operator/conditions.js';
import { planReconcile } from '../../../operator/reconcile/plan.js';
import { computeStatus } from '../../../operator/reconcile/status.js';
import { cloudSettings, instance } from './support.js';

const poolOf = (objects: readonly KubernetesObject[]) =>
  (
    objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'district-a-config') as
      { data: Record<string, string> } | undefined
  )?.data.DATABASE_POOL_MAX;

describe('connection budgets', () => {
  it('When the database is in the cluster (97 connections), then the API keeps its pool of 10 per Pod', () => {
    const district = synthesizeDistrict(instance());
    expect(district.connectionBudget).toMatchObject({
      limit: 97,
      apiPods: 3,
      workerPods: 5,
      apiPoolPerPod: 10,
      fits: true,
    });
    expect(poolOf(district.objects)).toBe('10');
  });

  it('When the database is a small Azure server (35 user connections), then the pools shrink to fit at the autoscaler’s maximum', () => {
    const district = synthesizeDistrict(
      instance({
        platform: 'aks',
        database: { mode: 'managed' },
        redis: { mode: 'managed' },
        ...cloudSettings,
      }),
    );
    const budget = district.connectionBudget;
    // 5 worker Pods × 2 + migration 2 + backup 3 + a person 2 = 17; (35 − 17) / 3 API Pods = 6
    expect(budget).toMatchObject({ limit: 35, apiPoolPerPod: 6, atMost: 35, fits: true });
    expect(poolOf(district.objects)).toBe('6');
  });

  it('When the spec cannot fit even the smallest pools, then DatabaseConnections says so with the numbers and what to change', () => {
    const validated = validateInstance(
      instance({
        database: { mode: 'external', externalSecretRef: { name: 'pg' }, maxConnections: 20 },
        worker: { maxReplicas: 10 },
      }),
    );
    const plan = planReconcile(validated, '1.4.2', { get: () => undefined });
    const status = computeStatus({
      instance: validated,
      generation: 1,
      plan,
      observed: { get: () => undefined },
      notServed: new Set(),
      missingSecrets: [],
    });
    const connections = status.conditions.find((c) => c.type === ConditionType.DatabaseConnections);
    expect(connections).toMatchObject({ status: 'False', reason: Reason.ConnectionLimitExceeded });
    expect(connections?.message).toBe(
      'at the replica bounds the district opens up to 35 connections (3 API Pods × 2, 11 worker Pods, migration, backup and a person’s psql), but the database allows 20: lower spec.worker.maxReplicas or spec.api.replicas, choose a larger spec.database.instanceSize, or raise spec.database.maxConnections if the server allows more',
    );
  });
});
