import type { V1Container, V1EnvVar, V1PodSpec, V1StatefulSet } from '@kubernetes/client-node';
import { synthesize, synthesizeDistrict, type KubernetesObject } from '../../../cdk8s/index.js';
import { cloudSettings, deployment, instance, single } from './support.js';

function apiEnv(objects: readonly KubernetesObject[]): Map<string, V1EnvVar> {
  const container: V1Container = deployment(objects, 'district-a-api').spec!.template.spec!.containers[0]!;
  return new Map((container.env ?? []).map((variable) => [variable.name, variable]));
}

const secretRef = (name: string, key: string) => ({ valueFrom: { secretKeyRef: { name, key } } });
const managed = (platform: 'aks' | 'eks', extra: Record<string, unknown> = {}) =>
  instance({
    platform,
    database: { mode: 'managed' },
    redis: { mode: 'managed' },
    ...cloudSettings,
    ...extra,
  });

describe('data-service claims end in the connection variables the app reads', () => {
  it('When the variables are listed, then the app gets the split connection settings and no unescaped composed URL', () => {
    const names = [...apiEnv(synthesize(instance())).keys()];
    expect(names.slice(0, 10)).toEqual([
      'PGHOST',
      'PGPORT',
      'PGUSER',
      'PGPASSWORD',
      'PGDATABASE',
      'PGSSLMODE',
      'REDIS_SCHEME',
      'REDIS_HOST',
      'REDIS_PORT',
      'REDIS_PASSWORD',
    ]);
    expect(names).not.toContain('DATABASE_URL');
    expect(names).not.toContain('REDIS_URL');
    expect(names).not.toContain('DATABASE_POOL_MODE');
  });

  it('When the services are in the cluster, then hosts are the headless Services and passwords come from generated Secrets', () => {
    const { objects, requiredSecrets } = synthesizeDistrict(instance());
    const env = apiEnv(objects);
    expect(env.get('PGHOST')).toEqual({ name: 'PGHOST', value: 'district-a-postgres' });
    expect(env.get('PGSSLMODE')?.value).toBe('disable');
    expect(env.get('PGPASSWORD')).toMatchObject(secretRef('district-a-postgres-credentials', 'password'));
    expect(env.get('REDIS_SCHEME')?.value).toBe('redis');
    expect(env.get('REDIS_PASSWORD')).toMatchObject(secretRef('district-a-redis-credentials', 'password'));
    expect(requiredSecrets.map((secret) => [secret.name, secret.origin])).toEqual([
      ['district-a-postgres-credentials', 'generate'],
      ['district-a-redis-credentials', 'generate'],
    ]);
    expect(single(objects, 'StatefulSet', 'district-a-postgres')).toBeDefined();
    expect(single(objects, 'Service', 'district-a-redis')).toMatchObject({ spec: { clusterIP: 'None' } });
  });

  it('When the services are external, then every setting comes from the user Secrets', () => {
    const { objects, requiredSecrets } = synthesizeDistrict(
      instance({
        database: { mode: 'external', externalSecretRef: { name: 'pg' } },
        redis: { mode: 'external', externalSecretRef: { name: 'cache' } },
      }),
    );
    const env = apiEnv(objects);
    expect(env.get('PGHOST')).toMatchObject(secretRef('pg', 'host'));
    expect(env.get('PGSSLMODE')).toMatchObject(secretRef('pg', 'sslmode'));
    expect(env.get('REDIS_SCHEME')).toMatchObject(secretRef('cache', 'scheme'));
    // a pooler in transaction mode says so in the same Secret; without the key the app connects in session mode
    expect(env.get('DATABASE_POOL_MODE')).toEqual({
      name: 'DATABASE_POOL_MODE',
      valueFrom: { secretKeyRef: { name: 'pg', key: 'poolMode', optional: true } },
    });
    expect(requiredSecrets[0]?.keys).not.toContain('poolMode');
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(requiredSecrets).toEqual([
      expect.objectContaining({ name: 'pg', origin: 'user' }),
      expect.objectContaining({ name: 'cache', origin: 'user' }),
    ]);
  });

  it('When managed on aks, then Azure Service Operator resources are made and ASO-written Secrets are read', () => {
    const { objects } = synthesizeDistrict(managed('aks'));
    const kinds = objects
      .filter((o) => o.apiVersion.includes('azure.com'))
      .map((o) => `${o.apiVersion} ${o.kind}`);
    expect(kinds).toEqual([
      'dbforpostgresql.azure.com/v1api20240801 FlexibleServer',
      'dbforpostgresql.azure.com/v1api20240801 FlexibleServersDatabase',
      'dbforpostgresql.azure.com/v1api20240801 FlexibleServersFirewallRule',
      'cache.azure.com/v1api20230801 Redis',
    ]);
    const env = apiEnv(objects);
    expect(env.get('PGHOST')).toMatchObject(secretRef('district-a-postgres-connection', 'host'));
    expect(env.get('PGSSLMODE')?.value).toBe('verify-full');
    expect(env.get('REDIS_SCHEME')?.value).toBe('rediss');
    expect(env.get('REDIS_PASSWORD')).toMatchObject(secretRef('district-a-redis-connection', 'password'));
    const redis = single(objects, 'Redis') as { spec?: { redisConfiguration?: Record<string, string> } };
    expect(redis.spec?.redisConfiguration).toEqual({ 'maxmemory-policy': 'noeviction' });
  });

  it('When managed on aks, then the deletion policy picks the ASO reconcile policy and storage rounds up to an Azure size', () => {
    const server = (extra: Record<string, unknown>) =>
      single(synthesize(managed('aks', extra)), 'FlexibleServer') as KubernetesObject & {
        spec: { storage: { storageSizeGB: number } };
      };
    expect(server({}).metadata.annotations).toEqual({
      'serviceoperator.azure.com/reconcile-policy': 'detach-on-delete',
    });
    const deleting = server({
      database: { mode: 'managed', deletionPolicy: 'Delete', storage: { size: '40Gi' } },
    });
    expect(deleting.metadata.annotations).toEqual({ 'serviceoperator.azure.com/reconcile-policy': 'manage' });
    expect(deleting.spec.storage.storageSizeGB).toBe(64);
  });

  it('When managed on eks, then ACK resources are made, with FieldExports filling empty connection Secrets', () => {
    const { objects, requiredSecrets } = synthesizeDistrict(managed('eks'));
    const kinds = objects.filter((o) => o.apiVersion.includes('k8s.aws')).map((o) => o.kind);
    expect(kinds).toEqual([
      'DBInstance',
      'FieldExport',
      'CacheParameterGroup',
      'ReplicationGroup',
      'FieldExport',
    ]);
    const secrets = objects.filter((o) => o.kind === 'Secret');
    expect(secrets.map((o) => o.metadata.name)).toEqual([
      'district-a-postgres-connection',
      'district-a-redis-connection',
    ]);
    for (const secret of secrets) {
      expect(secret).not.toHaveProperty('data');
      expect(secret).not.toHaveProperty('stringData');
    }
    const env = apiEnv(objects);
    expect(env.get('PGHOST')).toMatchObject(secretRef('district-a-postgres-connection', 'host'));
    expect(env.get('REDIS_PASSWORD')).toMatchObject(secretRef('district-a-redis-credentials', 'password'));
    expect(
      requiredSecrets.filter((secret) => secret.origin === 'generate').map((secret) => secret.name),
    ).toEqual(['district-a-postgres-credentials', 'district-a-redis-credentials']);
    const parameters = single(objects, 'CacheParameterGroup') as { spec?: { parameterNameValues?: unknown } };
    expect(parameters.spec?.parameterNameValues).toEqual([
      { parameterName: 'maxmemory-policy', parameterValue: 'noeviction' },
    ]);
  });

  it.each(['kind', 'aks', 'eks'] as const)(
    'When the Secrets of a %s district are listed, then each names the component that reads it',
    (platform) => {
      const backup = {
        destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 's3-keys' } },
      };
      const { requiredSecrets } = synthesizeDistrict(
        platform === 'kind' ? instance({ backup }) : managed(platform, { backup }),
      );
      const components = requiredSecrets.map((secret) => [secret.name, secret.component]);
      expect(components).toEqual(
        expect.arrayContaining([
          ['district-a-postgres-credentials', 'postgres'],
          ['s3-keys', 'backup'],
        ]),
      );
      for (const [name, component] of components) {
        if (name === 's3-keys') continue;
        expect(name).toMatch(new RegExp(`^district-a-${component}-`));
      }
    },
  );

  it('When the inCluster Redis is synthesized, then maxmemory stays below the container limit with noeviction', () => {
    const objects = synthesize(
      instance({ redis: { resources: { limits: { memory: '1Gi' }, requests: { memory: '1Gi' } } } }),
    );
    const args =
      (
        single(objects, 'StatefulSet', 'district-a-redis') as {
          spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } };
        }
      ).spec?.template?.spec?.containers?.[0]?.args ?? [];
    expect(args[args.indexOf('--maxmemory') + 1]).toBe(String(Math.floor(2 ** 30 * 0.8)));
    expect(args[args.indexOf('--maxmemory-policy') + 1]).toBe('noeviction');
    expect(args[args.indexOf('--appendonly') + 1]).toBe('yes');
  });

  const postgresPod = (database: Record<string, unknown> = {}): V1PodSpec => {
    const server: V1StatefulSet = single(
      synthesize(instance({ database })),
      'StatefulSet',
      'district-a-postgres',
    );
    return server.spec!.template.spec!;
  };

  it('When the inCluster PostgreSQL has the spec defaults, then it is sized for a 1Gi limit and a 10Gi volume', () => {
    const container = postgresPod().containers[0]!;
    expect(container.command).toBeUndefined(); // the image's entrypoint prepends `postgres`
    expect(container.args).toEqual([
      '-c',
      'shared_buffers=256MB',
      '-c',
      'effective_cache_size=768MB',
      '-c',
      'maintenance_work_mem=64MB',
      '-c',
      'max_wal_size=2048MB',
      '-c',
      'min_wal_size=512MB',
      '-c',
      'temp_file_limit=2560MB',
    ]);
  });

  it('When the inCluster PostgreSQL gets 8Gi and 200Gi, then the settings scale and max_wal_size stops at 8GB', () => {
    const pod = postgresPod({
      resources: { limits: { memory: '8Gi' }, requests: { memory: '8Gi' } },
      storage: { size: '200Gi' },
    });
    expect(pod.containers[0]!.args).toEqual([
      '-c',
      'shared_buffers=2048MB',
      '-c',
      'effective_cache_size=6144MB',
      '-c',
      'maintenance_work_mem=512MB',
      '-c',
      'max_wal_size=8192MB',
      '-c',
      'min_wal_size=2048MB',
      '-c',
      'temp_file_limit=51200MB',
    ]);
    expect(pod.volumes?.find((volume) => volume.name === 'shm')?.emptyDir).toEqual({
      medium: 'Memory',
      sizeLimit: '2048Mi',
    });
  });

  it('When the inCluster PostgreSQL runs, then /dev/shm is a memory-backed emptyDir of a quarter of the limit', () => {
    const pod = postgresPod();
    expect(pod.containers[0]!.volumeMounts).toContainEqual({ name: 'shm', mountPath: '/dev/shm' });
    expect(pod.volumes?.find((volume) => volume.name === 'shm')).toEqual({
      name: 'shm',
      emptyDir: { medium: 'Memory', sizeLimit: '256Mi' },
    });
    const small = postgresPod({ resources: { limits: { memory: '256Mi' }, requests: { memory: '256Mi' } } });
    expect(small.volumes?.find((volume) => volume.name === 'shm')?.emptyDir?.sizeLimit).toBe('64Mi');
    expect(small.containers[0]!.args).toContain('shared_buffers=64MB');
  });
});

describe('the PostgreSQL CA bundle (spec.database.caBundleRef)', () => {
  it('When a CA bundle ConfigMap is named, then every process that connects mounts it and gets PGSSLROOTCERT', () => {
    const objects = synthesize(
      instance({
        database: {
          mode: 'external',
          externalSecretRef: { name: 'pg' },
          caBundleRef: { name: 'district-ca' },
        },
      }),
    );
    const podSpecs = objects.flatMap((object): [string, V1PodSpec][] => {
      const spec = object.spec as
        | { template?: { spec: V1PodSpec }; jobTemplate?: { spec: { template: { spec: V1PodSpec } } } }
        | undefined;
      const pod = spec?.template?.spec ?? spec?.jobTemplate?.spec.template.spec;
      return pod && object.kind !== 'StatefulSet' ? [[`${object.kind}/${object.metadata.name}`, pod]] : [];
    });
    expect(podSpecs.map(([name]) => name.split('/')[0]).sort()).toEqual([
      'CronJob',
      'Deployment',
      'Deployment',
      'Job',
    ]);
    for (const [name, pod] of podSpecs) {
      const container = pod.containers[0]!;
      expect({ name, env: container.env?.find((v) => v.name === 'PGSSLROOTCERT')?.value }).toEqual({
        name,
        env: '/etc/rosterhub/postgres-ca/ca.crt',
      });
      expect(pod.volumes).toContainEqual({
        name: 'postgres-ca',
        configMap: { name: 'district-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
      });
      expect(container.volumeMounts).toContainEqual({
        name: 'postgres-ca',
        mountPath: '/etc/rosterhub/postgres-ca',
        readOnly: true,
      });
    }
  });

  it('When the database is managed, then the app verifies the server fully (sslmode verify-full)', () => {
    expect(apiEnv(synthesize(managed('eks'))).get('PGSSLMODE')?.value).toBe('verify-full');
    expect(apiEnv(synthesize(managed('aks'))).get('PGSSLMODE')?.value).toBe('verify-full');
  });
});
