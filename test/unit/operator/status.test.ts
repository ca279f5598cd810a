import { validateInstance, type RosterHubInstance, type SecretRequirement } from '../../../cdk8s/index.js';
import { ConditionType, Reason, type DesiredCondition } from '../../../operator/conditions.js';
import { planReconcile, type ObservedChildren } from '../../../operator/reconcile/plan.js';
import { computeStatus } from '../../../operator/reconcile/status.js';
import { cloudSettings, instance } from '../cdk8s/support.js';

const nothingObserved: ObservedChildren = { get: () => undefined };

/**
 * The status of a fresh district whose Secrets from people and provisioners are all missing
 * (the operator creates the generated ones), or only those `missing` keeps.
 */
function statusWithMissingSecrets(
  spec: Record<string, unknown>,
  missing: (secret: SecretRequirement) => boolean = () => true,
) {
  const validated: RosterHubInstance = validateInstance(instance(spec));
  const plan = planReconcile(validated, undefined, nothingObserved);
  const missingSecrets = plan.target.requiredSecrets.filter(
    (secret) => secret.origin !== 'generate' && missing(secret),
  );
  const status = computeStatus({
    instance: validated,
    generation: 1,
    plan,
    observed: nothingObserved,
    notServed: new Set(),
    missingSecrets,
  });
  const conditionOf = (type: string): DesiredCondition => {
    const found = status.conditions.find((condition) => condition.type === type);
    if (!found) throw new Error(`no ${type} condition`);
    return found;
  };
  return { status, conditionOf };
}

const managed = (platform: 'aks' | 'eks', extra: Record<string, unknown> = {}) => ({
  platform,
  database: { mode: 'managed' },
  redis: { mode: 'managed' },
  ...cloudSettings,
  ...extra,
});

const secretMissing = (secret: string) => ({
  status: 'False',
  reason: Reason.ExternalSecretMissing,
  message: expect.stringContaining(`Secret ${secret} (`) as unknown,
});

describe('computeStatus reports a missing Secret on the condition of the part that reads it', () => {
  it.each(['eks', 'aks'] as const)(
    'When the managed Redis connection Secret is missing on %s, then CacheReady is ExternalSecretMissing naming it',
    (platform) => {
      const { conditionOf } = statusWithMissingSecrets(
        managed(platform),
        (secret) => secret.name === 'district-a-redis-connection',
      );
      expect(conditionOf(ConditionType.CacheReady)).toMatchObject(
        secretMissing('district-a-redis-connection'),
      );
      expect(conditionOf(ConditionType.DatabaseReady).reason).toBe(Reason.ClaimPending);
    },
  );

  it.each(['eks', 'aks'] as const)(
    'When the managed PostgreSQL connection Secret is missing on %s, then DatabaseReady is ExternalSecretMissing and Redis is not blamed',
    (platform) => {
      const { conditionOf } = statusWithMissingSecrets(
        managed(platform),
        (secret) => secret.name === 'district-a-postgres-connection',
      );
      expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject(
        secretMissing('district-a-postgres-connection'),
      );
      expect(conditionOf(ConditionType.CacheReady).reason).toBe(Reason.ClaimPending);
    },
  );

  it('When the external PostgreSQL Secret is missing, then only DatabaseReady names it', () => {
    const { conditionOf } = statusWithMissingSecrets(
      {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      },
      (secret) => secret.name === 'pg',
    );
    expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
      ...secretMissing('pg'),
      message: expect.stringContaining(
        'it needs keys host, port, username, password, database, sslmode',
      ) as unknown,
    });
    expect(conditionOf(ConditionType.CacheReady)).toMatchObject({ status: 'True', reason: Reason.Available });
  });

  it('When a missing Secret’s purpose names the other service, then the component decides, not the text', () => {
    const validated = validateInstance(instance());
    const plan = planReconcile(validated, undefined, nothingObserved);
    const status = computeStatus({
      instance: validated,
      generation: 1,
      plan,
      observed: nothingObserved,
      notServed: new Set(),
      missingSecrets: [
        {
          name: 'cache-keys',
          component: 'redis',
          keys: [],
          origin: 'user',
          purpose: 'same password as the postgres role',
        },
      ],
    });
    const reasons = Object.fromEntries(
      status.conditions.map((condition) => [condition.type, condition.reason]),
    );
    expect(reasons[ConditionType.CacheReady]).toBe(Reason.ExternalSecretMissing);
    expect(reasons[ConditionType.DatabaseReady]).not.toBe(Reason.ExternalSecretMissing);
  });

  it('When the backup destination credentials Secret is missing, then BackupScheduled names it and the data services are not blamed', () => {
    const { status, conditionOf } = statusWithMissingSecrets({
      backup: {
        destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 's3-keys' } },
      },
    });
    expect(conditionOf(ConditionType.BackupScheduled)).toMatchObject(secretMissing('s3-keys'));
    expect(conditionOf(ConditionType.DatabaseReady).reason).not.toBe(Reason.ExternalSecretMissing);
    expect(conditionOf(ConditionType.CacheReady).reason).not.toBe(Reason.ExternalSecretMissing);
    expect(conditionOf(ConditionType.Ready).message).not.toContain('s3-keys');
    expect(status.phase).toBe('Installing');
  });
});
