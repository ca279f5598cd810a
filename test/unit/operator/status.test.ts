import {
  labelKeys,
  validateInstance,
  type RosterHubInstance,
  type SecretRequirement,
} from '../../../cdk8s/index.js';
import { ConditionType, Reason, type DesiredCondition } from '../../../operator/conditions.js';
import type { KubeClient, KubeObject } from '../../../operator/kube/kube-client.js';
import { planReconcile, type ObservedChildren, type Plan } from '../../../operator/reconcile/plan.js';
import { computeStatus } from '../../../operator/reconcile/status.js';
import { ensureSecrets } from '../../../operator/secrets.js';
import { cloudSettings, instance } from '../cdk8s/support.js';

const nothingObserved: ObservedChildren = { get: () => undefined };

type DataService = 'postgres' | 'redis';

/** How a component's managed objects (claims) look: ready, created but still provisioning, or absent. */
type ClaimState = 'ready' | 'provisioning' | 'absent';

/**
 * Children as the cluster shows them: the planned objects of each component in `claims`, with
 * the conditions ASO, Crossplane (`Ready`) and ACK (`ACK.ResourceSynced`) set in that state.
 * Nothing else exists.
 */
function observedClaims(plan: Plan, claims: Partial<Record<DataService, ClaimState>>): ObservedChildren {
  return {
    get: (apiVersion, kind, name) => {
      const object = plan.objects.find(
        (candidate) =>
          candidate.apiVersion === apiVersion && candidate.kind === kind && candidate.metadata.name === name,
      );
      const component = object?.metadata.labels?.[labelKeys.component] as DataService | undefined;
      const state = component === undefined ? 'absent' : (claims[component] ?? 'absent');
      if (!object || state === 'absent') return undefined;
      const [status, reason] = state === 'ready' ? ['True', 'Synced'] : ['False', 'Creating'];
      const conditions = ['Ready', 'ACK.ResourceSynced'].map((type) => ({ type, status, reason }));
      return { ...object, status: { conditions } };
    },
  };
}

interface Scenario {
  /** Which required Secrets a person or provisioner provides are missing (default: all). */
  missing?: (secret: SecretRequirement) => boolean;
  /** Further missing Secrets, made from the required ones. */
  alsoMissing?: (required: readonly SecretRequirement[]) => SecretRequirement[];
  /** The state of each component's managed objects (default: none exists yet). */
  claims?: Partial<Record<DataService, ClaimState>>;
}

/**
 * The status of a fresh district whose Secrets from people and provisioners are missing as
 * `scenario` says (the operator creates the generated ones).
 */
function statusWithMissingSecrets(spec: Record<string, unknown>, scenario: Scenario = {}) {
  const { missing = () => true, alsoMissing = () => [], claims = {} } = scenario;
  const validated: RosterHubInstance = validateInstance(instance(spec));
  const plan = planReconcile(validated, undefined, nothingObserved);
  const required = plan.target.requiredSecrets;
  const missingSecrets = [
    ...required.filter((secret) => secret.origin !== 'generate' && missing(secret)),
    ...alsoMissing(required),
  ];
  const status = computeStatus({
    instance: validated,
    generation: 1,
    plan,
    observed: observedClaims(plan, claims),
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

const reasons = (status: { conditions: DesiredCondition[] }) =>
  status.conditions.map((condition) => condition.reason);

const connectionSecret = {
  postgres: 'district-a-postgres-connection',
  redis: 'district-a-redis-connection',
} as const;

describe('computeStatus reports a missing Secret on the condition of the part that reads it', () => {
  it.each(['eks', 'aks'] as const)(
    'When a managed %s district is still being provisioned, then its connection Secrets are ClaimPending, not ExternalSecretMissing',
    (platform) => {
      const { status, conditionOf } = statusWithMissingSecrets(managed(platform));
      for (const [type, component] of [
        [ConditionType.DatabaseReady, 'postgres'],
        [ConditionType.CacheReady, 'redis'],
      ] as const) {
        expect(conditionOf(type)).toMatchObject({
          status: 'False',
          reason: Reason.ClaimPending,
          message: expect.stringMatching(
            new RegExp(
              `^the provisioner has not written Secret ${connectionSecret[component]} yet \\(\\S+ \\S*district-a-${component}\\S* has not been created yet(?:; \\S+ \\S*district-a-${component}\\S* has not been created yet)*\\)$`,
            ),
          ) as unknown,
        });
      }
      expect(reasons(status)).not.toContain(Reason.ExternalSecretMissing);
      expect(status.phase).toBe('Installing');
    },
  );

  it.each(['eks', 'aks'] as const)(
    'When the managed PostgreSQL on %s exists but is still provisioning, then DatabaseReady is ClaimPending naming the claim and the Secret',
    (platform) => {
      const { conditionOf } = statusWithMissingSecrets(managed(platform), {
        claims: { postgres: 'provisioning', redis: 'ready' },
      });
      expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
        status: 'False',
        reason: Reason.ClaimPending,
        message: expect.stringMatching(
          /^the provisioner has not written Secret district-a-postgres-connection yet \(\S+ \S*district-a-postgres\S* is not ready: Creating(?:; \S+ \S*district-a-postgres\S* is not ready: Creating)+\)$/,
        ) as unknown,
      });
      expect(conditionOf(ConditionType.CacheReady)).toMatchObject(secretMissing(connectionSecret.redis));
    },
  );

  it.each(['eks', 'aks'] as const)(
    'When the managed Redis on %s reports ready but its connection Secret is still absent, then CacheReady is ExternalSecretMissing naming it and its keys',
    (platform) => {
      const { conditionOf } = statusWithMissingSecrets(managed(platform), {
        missing: (secret) => secret.name === connectionSecret.redis,
        claims: { redis: 'ready' },
      });
      const cache = conditionOf(ConditionType.CacheReady);
      expect(cache).toMatchObject(secretMissing(connectionSecret.redis));
      expect(cache.message).toMatch(/ (is|are) ready, yet Secret district-a-redis-connection \(/);
      expect(cache.message).toMatch(
        platform === 'eks' ? /; it needs keys host$/ : /; it needs keys host, port, password$/,
      );
      expect(conditionOf(ConditionType.DatabaseReady).reason).toBe(Reason.ClaimPending);
    },
  );

  it.each(['eks', 'aks'] as const)(
    'When the managed PostgreSQL on %s reports ready but its connection Secret is still absent, then DatabaseReady is ExternalSecretMissing and Redis is not blamed',
    (platform) => {
      const { conditionOf } = statusWithMissingSecrets(managed(platform), {
        missing: (secret) => secret.name === connectionSecret.postgres,
        claims: { postgres: 'ready', redis: 'ready' },
      });
      expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject(
        secretMissing(connectionSecret.postgres),
      );
      expect(conditionOf(ConditionType.DatabaseReady).message).toMatch(
        / ready, yet Secret district-a-postgres-connection \(.*; it needs keys host$/,
      );
      expect(conditionOf(ConditionType.CacheReady)).toMatchObject({
        status: 'True',
        reason: Reason.Available,
      });
    },
  );

  it.each(['eks', 'aks'] as const)(
    'When the managed objects on %s are ready and their Secrets exist, then both data services are Available',
    (platform) => {
      const { conditionOf } = statusWithMissingSecrets(managed(platform), {
        missing: () => false,
        claims: { postgres: 'ready', redis: 'ready' },
      });
      for (const type of [ConditionType.DatabaseReady, ConditionType.CacheReady]) {
        expect(conditionOf(type)).toMatchObject({ status: 'True', reason: Reason.Available });
      }
    },
  );

  it('When the external PostgreSQL Secret is missing, then only DatabaseReady names it', () => {
    const { conditionOf } = statusWithMissingSecrets(
      {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      },
      { missing: (secret) => secret.name === 'pg' },
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

  it('When two Secrets a person provides for one component are missing, then the message names both', () => {
    const { conditionOf } = statusWithMissingSecrets(
      { redis: { mode: 'external', externalSecretRef: { name: 'cache' } } },
      {
        alsoMissing: () => [
          {
            name: 'cache-ca',
            component: 'redis',
            keys: [],
            origin: 'user',
            purpose: 'CA bundle of the cache',
          },
        ],
      },
    );
    expect(conditionOf(ConditionType.CacheReady)).toMatchObject({
      status: 'False',
      reason: Reason.ExternalSecretMissing,
      message:
        'Secrets cache, cache-ca do not exist in the namespace: cache (connection to the external Redis server) needs keys scheme, host, port, password; cache-ca (CA bundle of the cache)',
    });
  });

  it.each(['eks', 'aks'] as const)(
    'When two provisioner Secrets of PostgreSQL are missing on %s, then ClaimPending and, once its claims are ready, ExternalSecretMissing name both',
    (platform) => {
      const scenario: Scenario = {
        missing: (secret) => secret.name === connectionSecret.postgres,
        alsoMissing: (required) =>
          required
            .filter((secret) => secret.name === connectionSecret.postgres)
            .map((secret) => ({
              ...secret,
              name: 'district-a-postgres-ca',
              keys: ['ca.crt'],
              purpose: 'server CA',
            })),
      };
      const pending = statusWithMissingSecrets(managed(platform), scenario);
      expect(pending.conditionOf(ConditionType.DatabaseReady)).toMatchObject({
        reason: Reason.ClaimPending,
        message: expect.stringContaining(
          'the provisioner has not written Secrets district-a-postgres-connection, district-a-postgres-ca yet (',
        ) as unknown,
      });
      const ready = statusWithMissingSecrets(managed(platform), {
        ...scenario,
        claims: { postgres: 'ready' },
      });
      const database = ready.conditionOf(ConditionType.DatabaseReady);
      expect(database.reason).toBe(Reason.ExternalSecretMissing);
      expect(database.message).toContain(
        'ready, yet Secrets district-a-postgres-connection, district-a-postgres-ca do not exist in the namespace: district-a-postgres-connection (',
      );
      expect(database.message).toMatch(
        / needs keys host; district-a-postgres-ca \(server CA\) needs keys ca\.crt$/,
      );
    },
  );
});

/** Values of the live Secrets a scenario has, by name; `{}` is a Secret without data. */
type LiveSecrets = Record<string, Record<string, string>>;

/**
 * The status of a district whose Secrets are exactly `live`, through the operator's own check:
 * the Secrets it applies or generates come from its label-selected cache, the others (a
 * person's, ASO's) from a GET by name. Generated Secrets not in `live` are created with every key.
 */
async function statusWithLiveSecrets(
  spec: Record<string, unknown>,
  live: LiveSecrets,
  claims: Partial<Record<DataService, ClaimState>> = {},
) {
  const validated: RosterHubInstance = validateInstance(instance(spec));
  const plan = planReconcile(validated, undefined, nothingObserved);
  const required = plan.target.requiredSecrets;
  const labelled = new Set([
    ...plan.objects.filter((object) => object.kind === 'Secret').map((object) => object.metadata.name),
    ...required.filter((secret) => secret.origin === 'generate').map((secret) => secret.name),
  ]);
  const stored = (name: string): KubeObject | undefined => {
    const values = live[name];
    if (!values) return undefined;
    const data = Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]);
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'districts' },
      ...(data.length > 0 ? { data: Object.fromEntries(data) } : {}),
    };
  };
  const client = {
    get: (_apiVersion: string, _kind: string, _namespace: string, name: string) =>
      Promise.resolve(labelled.has(name) ? undefined : stored(name)),
    create: (object: KubeObject) => Promise.resolve(object),
    mergePatch: (object: KubeObject) => Promise.resolve(object),
  } as unknown as KubeClient;
  const { missing } = await ensureSecrets(
    client,
    'districts',
    'district-a',
    required,
    (name) => (labelled.has(name) ? stored(name) : undefined),
    () => [],
  );
  const status = computeStatus({
    instance: validated,
    generation: 1,
    plan,
    observed: observedClaims(plan, claims),
    notServed: new Set(),
    missingSecrets: missing,
  });
  const conditionOf = (type: string): DesiredCondition => {
    const found = status.conditions.find((condition) => condition.type === type);
    if (!found) throw new Error(`no ${type} condition`);
    return found;
  };
  return { status, conditionOf };
}

const externalPostgres = {
  host: 'db.example.com',
  port: '5432',
  username: 'rosterhub',
  password: 'pg-password-value',
  database: 'rosterhub',
  sslmode: 'require',
};
const externalRedis = {
  scheme: 'rediss',
  host: 'cache.example.com',
  port: '6380',
  password: 'redis-key-value',
};

/** Every Secret of a managed district, complete (what ACK or ASO write once provisioning ends). */
const managedSecrets = (platform: 'aks' | 'eks'): LiveSecrets => ({
  [connectionSecret.postgres]: { host: 'pg.cloud.example' },
  [connectionSecret.redis]:
    platform === 'eks'
      ? { host: 'cache.cloud.example' }
      : { host: 'cache.cloud.example', port: '6380', password: 'access-key-value' },
});

describe('computeStatus reports a Secret that exists without some required keys like a missing one', () => {
  it('When the FieldExport’s connection Secret is still empty after the RDS instance is ready, then DatabaseReady is ExternalSecretMissing naming the key', async () => {
    const { status, conditionOf } = await statusWithLiveSecrets(
      managed('eks'),
      { ...managedSecrets('eks'), [connectionSecret.postgres]: {} },
      { postgres: 'ready', redis: 'ready' },
    );
    expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
      status: 'False',
      reason: Reason.ExternalSecretMissing,
      message: expect.stringMatching(
        /^DBInstance district-a-postgres, FieldExport district-a-postgres-host are ready, yet Secret district-a-postgres-connection \(RDS endpoint, written by the FieldExport\) lacks key host \(absent or empty\)$/,
      ) as unknown,
    });
    expect(conditionOf(ConditionType.CacheReady)).toMatchObject({ status: 'True', reason: Reason.Available });
    expect(conditionOf(ConditionType.Ready).message).toContain(
      'database: DBInstance district-a-postgres, FieldExport district-a-postgres-host are ready, yet Secret district-a-postgres-connection',
    );
    expect(status.phase).toBe('Installing');
  });

  it('When the FieldExport’s connection Secret is still empty while the RDS instance provisions, then DatabaseReady is ClaimPending naming the key', async () => {
    const { status, conditionOf } = await statusWithLiveSecrets(
      managed('eks'),
      { ...managedSecrets('eks'), [connectionSecret.postgres]: {} },
      { postgres: 'provisioning', redis: 'ready' },
    );
    expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
      status: 'False',
      reason: Reason.ClaimPending,
      message: expect.stringMatching(
        /^the provisioner has not written key host of Secret district-a-postgres-connection yet \(\S+ \S*district-a-postgres\S* is not ready: Creating(?:; \S+ \S*district-a-postgres\S* is not ready: Creating)+\)$/,
      ) as unknown,
    });
    expect(reasons(status)).not.toContain(Reason.ExternalSecretMissing);
  });

  it('When ASO’s Redis Secret holds only the host once the cache is ready, then CacheReady names exactly the keys it lacks', async () => {
    const { conditionOf } = await statusWithLiveSecrets(
      managed('aks'),
      { ...managedSecrets('aks'), [connectionSecret.redis]: { host: 'cache.cloud.example', port: '' } },
      { postgres: 'ready', redis: 'ready' },
    );
    expect(conditionOf(ConditionType.CacheReady)).toMatchObject({
      status: 'False',
      reason: Reason.ExternalSecretMissing,
      message: expect.stringContaining(
        'yet Secret district-a-redis-connection (cache host, TLS port and access key, written by ASO) lacks keys port, password (absent or empty)',
      ) as unknown,
    });
    expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
      status: 'True',
      reason: Reason.Available,
    });
  });

  it('When a person’s external PostgreSQL Secret lacks the password, then DatabaseReady is ExternalSecretMissing naming that key and no value', async () => {
    const { password: _password, ...withoutPassword } = externalPostgres;
    const { status, conditionOf } = await statusWithLiveSecrets(
      {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      },
      { pg: withoutPassword, cache: externalRedis },
    );
    expect(conditionOf(ConditionType.DatabaseReady)).toMatchObject({
      status: 'False',
      reason: Reason.ExternalSecretMissing,
      message:
        'Secret pg (connection to the external PostgreSQL server) lacks key password (absent or empty)',
    });
    expect(conditionOf(ConditionType.CacheReady)).toMatchObject({ status: 'True', reason: Reason.Available });
    const messages = JSON.stringify(status.conditions);
    for (const value of ['db.example.com', 'cache.example.com', 'redis-key-value']) {
      expect(messages).not.toContain(value);
    }
  });

  it('When one Secret of a component is absent and another lacks a key, then the message names both', async () => {
    const { conditionOf } = await statusWithLiveSecrets(
      {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
        backup: {
          destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 's3-keys' } },
        },
      },
      { pg: externalPostgres, cache: { ...externalRedis, host: ' ' } },
    );
    expect(conditionOf(ConditionType.CacheReady).message).toBe(
      'Secret cache (connection to the external Redis server) lacks key host (absent or empty)',
    );
    expect(conditionOf(ConditionType.BackupScheduled)).toMatchObject(secretMissing('s3-keys'));
  });

  it.each(['eks', 'aks'] as const)(
    'When every Secret of a managed %s district holds every key and the claims are ready, then both data services are Available',
    async (platform) => {
      const { conditionOf } = await statusWithLiveSecrets(managed(platform), managedSecrets(platform), {
        postgres: 'ready',
        redis: 'ready',
      });
      for (const type of [ConditionType.DatabaseReady, ConditionType.CacheReady]) {
        expect(conditionOf(type)).toMatchObject({ status: 'True', reason: Reason.Available });
      }
    },
  );

  it('When both external Secrets hold every key, then both data services are Available', async () => {
    const { conditionOf } = await statusWithLiveSecrets(
      {
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      },
      { pg: externalPostgres, cache: externalRedis },
    );
    for (const type of [ConditionType.DatabaseReady, ConditionType.CacheReady]) {
      expect(conditionOf(type)).toMatchObject({ status: 'True', reason: Reason.Available });
    }
  });
});
