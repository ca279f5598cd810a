import type {
  V1CronJob,
  V1HorizontalPodAutoscaler,
  V1Ingress,
  V1Job,
  V1PodDisruptionBudget,
  V1Service,
  V1ServiceAccount,
} from '@kubernetes/client-node';
import { synthesize } from '../../../cdk8s/index.js';
import { deployment, exampleInstance, instance, podTemplates, single } from './support.js';

describe('API Deployment', () => {
  const objects = synthesize(instance({ api: { replicas: 3 } }));
  const api = deployment(objects, 'district-a-api');
  const pod = api.spec!.template.spec!;
  const container = pod.containers[0]!;

  it('When synthesized, then it runs `rosterhub api` from the versioned image with the spec replicas', () => {
    expect(container.args).toEqual(['api']);
    expect(container.image).toBe('ghcr.io/rosterhub/rosterhub:1.4.2');
    expect(api.spec?.replicas).toBe(3);
    expect(pod.serviceAccountName).toBe('district-a-app');
  });

  it('When synthesized, then probes use /healthz for liveness and startup and /readyz for readiness', () => {
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(container.startupProbe?.httpGet?.path).toBe('/healthz');
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
  });

  it('When synthesized, then probes and the ServiceMonitor use the health port, which the Ingress never routes to', () => {
    const portNamed = new Map(container.ports?.map((port) => [port.name, port.containerPort]));
    expect(Object.fromEntries(portNamed)).toEqual({ http: 3000, health: 8081 });
    for (const probe of [container.livenessProbe, container.startupProbe, container.readinessProbe])
      expect(probe?.httpGet?.port).toBe(8081);
    const service = single(objects, 'Service', 'district-a-api') as V1Service;
    expect(service.spec?.ports?.map(({ name, port, targetPort }) => ({ name, port, targetPort }))).toEqual([
      { name: 'http', port: 80, targetPort: 'http' },
      { name: 'metrics', port: 8081, targetPort: 'health' },
    ]);
    const monitor = single(objects, 'ServiceMonitor') as unknown as {
      spec: { endpoints: { port: string }[] };
    };
    expect(monitor.spec.endpoints.map((endpoint) => endpoint.port)).toEqual(['metrics']);
    const ingress = single(synthesize(exampleInstance('kind')), 'Ingress') as V1Ingress;
    const backends = ingress.spec?.rules?.flatMap(
      (rule) => rule.http?.paths.map((path) => path.backend) ?? [],
    );
    expect(backends?.map((backend) => backend.service?.port?.name)).toEqual(['http']);
  });

  it('When synthesized, then the selector uses only stable labels, never the version or cdk8s address labels', () => {
    expect(api.spec?.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'rosterhub',
      'app.kubernetes.io/instance': 'district-a',
      'app.kubernetes.io/component': 'api',
    });
    expect(JSON.stringify(objects)).not.toContain('cdk8s.io/metadata.addr');
  });

  it('When the settings change, then the pod template changes too (config hash annotation)', () => {
    const other = deployment(
      synthesize(instance({ api: { replicas: 3 }, oneroster: { maxPageSize: 500 } })),
      'district-a-api',
    );
    const hash = (d: typeof api) => d.spec?.template.metadata?.annotations?.['rosterhub.io/config-hash'];
    expect(hash(api)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(other)).not.toBe(hash(api));
  });

  it('When synthesized, then a PodDisruptionBudget allows one voluntary eviction at a time', () => {
    const pdb = single(objects, 'PodDisruptionBudget') as unknown as V1PodDisruptionBudget;
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: api.spec?.selector.matchLabels },
    });
  });

  it('When the instance is suspended, then synthesis is unchanged (suspend pauses the operator, not the district)', () => {
    expect(synthesize(instance({ suspend: true }))).toEqual(synthesize(instance()));
  });
});

describe('Worker Deployment and HorizontalPodAutoscaler', () => {
  it('When synthesized, then the Deployment has no replicas field and the HPA owns the count', () => {
    const objects = synthesize(
      instance({ worker: { minReplicas: 2, maxReplicas: 7, targetCPUUtilizationPercentage: 60 } }),
    );
    const worker = deployment(objects, 'district-a-worker');
    expect(worker.spec).not.toHaveProperty('replicas');
    expect(worker.spec?.template.spec?.containers[0]?.args).toEqual(['worker']);
    const hpa = single(objects, 'HorizontalPodAutoscaler') as unknown as V1HorizontalPodAutoscaler & {
      spec: { metrics: unknown[] };
    };
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'district-a-worker',
    });
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(7);
    expect(hpa.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } },
      },
    ]);
  });

  it('When synthesized, then workers get a long grace period to finish an import and wait for it until shortly before the kill', () => {
    const worker = deployment(synthesize(instance()), 'district-a-worker');
    const pod = worker.spec?.template.spec;
    expect(pod?.terminationGracePeriodSeconds).toBe(300);
    const env = pod?.containers[0]?.env ?? [];
    const timeout = Number(env.find((variable) => variable.name === 'WORKER_SHUTDOWN_TIMEOUT_MS')?.value);
    expect(timeout).toBeGreaterThan(25_000);
    expect(timeout).toBeLessThan(300_000);
  });
});

describe('Migration Job', () => {
  const jobOf = (spec: Record<string, unknown>) =>
    single(synthesize(instance(spec)), 'Job') as unknown as V1Job;

  it('When synthesized, then one Job runs `rosterhub migrate` once, named after the version', () => {
    const job = jobOf({});
    expect(job.metadata?.name).toMatch(/^district-a-migrate-1-4-2-[0-9a-f]{5}$/);
    expect(job.spec?.template.spec?.containers[0]?.args).toEqual(['migrate']);
    expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
    expect(job.spec?.backoffLimit).toBe(3);
    expect(job.spec?.activeDeadlineSeconds).toBe(1800);
    expect(job.metadata?.labels?.['app.kubernetes.io/version']).toBe('1.4.2');
  });

  it('When the version changes, then it is a new Job; when only unrelated settings change, the same Job', () => {
    expect(jobOf({ version: '1.5.0' }).metadata?.name).toMatch(/^district-a-migrate-1-5-0-/);
    expect(jobOf({ api: { replicas: 5 } }).metadata?.name).toBe(jobOf({}).metadata?.name);
  });

  it('When the pod template changes (image), then the Job name changes, since a Job template is immutable', () => {
    expect(jobOf({ image: { repository: 'registry.example/rosterhub' } }).metadata?.name).not.toBe(
      jobOf({}).metadata?.name,
    );
  });
});

describe('Backup CronJob', () => {
  const cronOf = (spec: Record<string, unknown>) =>
    single(synthesize(instance(spec)), 'CronJob') as unknown as V1CronJob;

  it('When synthesized, then it runs `rosterhub backup` on the schedule, never twice at once', () => {
    const cron = cronOf({
      backup: { schedule: '15 3 * * 0', timeZone: 'America/Chicago', retentionDays: 9 },
    });
    expect(cron.spec).toMatchObject({
      schedule: '15 3 * * 0',
      timeZone: 'America/Chicago',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
    });
    const pod = cron.spec.jobTemplate.spec?.template.spec;
    expect(pod?.containers[0]?.args).toEqual(['backup']);
    expect(pod?.serviceAccountName).toBe('district-a-backup');
    expect(pod?.containers[0]?.env).toEqual(
      expect.arrayContaining([
        { name: 'BACKUP_FORMAT', value: 'custom' },
        { name: 'BACKUP_RETENTION_DAYS', value: '9' },
        { name: 'BACKUP_DESTINATION', value: 'pvc' },
        { name: 'BACKUP_DIR', value: '/backups' },
      ]),
    );
  });

  it('When the destination is a pvc, then the volume claim exists and is mounted', () => {
    const objects = synthesize(instance());
    expect(single(objects, 'PersistentVolumeClaim', 'district-a-backups')).toBeDefined();
    const pod = (single(objects, 'CronJob') as unknown as V1CronJob).spec.jobTemplate.spec?.template.spec;
    expect(pod?.volumes).toContainEqual({
      name: 'backups',
      persistentVolumeClaim: { claimName: 'district-a-backups' },
    });
  });

  it('When the destination is s3 with a Secret, then the Secret is read with envFrom and no claim is made', () => {
    const objects = synthesize(
      instance({
        backup: {
          destination: {
            type: 's3',
            s3: { bucket: 'b-1', region: 'us-east-1' },
            credentialsSecretRef: { name: 's3-keys' },
          },
        },
      }),
    );
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    const container = (single(objects, 'CronJob') as unknown as V1CronJob).spec.jobTemplate.spec?.template
      .spec?.containers[0];
    expect(container?.envFrom).toContainEqual({ secretRef: { name: 's3-keys' } });
    expect(container?.env).toEqual(
      expect.arrayContaining([
        { name: 'BACKUP_S3_BUCKET', value: 'b-1' },
        { name: 'AWS_REGION', value: 'us-east-1' },
        { name: 'BACKUP_PREFIX', value: 'districts/district-a/' },
      ]),
    );
  });

  it('When backups go to an S3-compatible server or a custom Blob endpoint, then the backup container is told its URL', () => {
    const envOf = (destination: Record<string, unknown>) =>
      (
        single(
          synthesize(
            instance({ backup: { destination: { ...destination, credentialsSecretRef: { name: 'k' } } } }),
          ),
          'CronJob',
        ) as unknown as V1CronJob
      ).spec.jobTemplate.spec?.template.spec?.containers[0]?.env;
    expect(
      envOf({ type: 's3', s3: { bucket: 'b-1', endpoint: 'http://minio:9000', forcePathStyle: true } }),
    ).toEqual(
      expect.arrayContaining([
        { name: 'BACKUP_S3_ENDPOINT', value: 'http://minio:9000' },
        { name: 'BACKUP_S3_FORCE_PATH_STYLE', value: 'true' },
      ]),
    );
    expect(
      envOf({
        type: 'azureBlob',
        azureBlob: { storageAccount: 'dev', container: 'backups', endpoint: 'http://azurite:10000' },
      }),
    ).toEqual(expect.arrayContaining([{ name: 'BACKUP_AZURE_ENDPOINT', value: 'http://azurite:10000' }]));
    expect(JSON.stringify(envOf({ type: 's3', s3: { bucket: 'b-1' } }))).not.toContain('BACKUP_S3_ENDPOINT');
  });

  it('When backups are disabled, then there is no CronJob, backup ServiceAccount or volume', () => {
    const kinds = synthesize(instance({ backup: { enabled: false } })).map(
      (o) => `${o.kind}/${o.metadata.name}`,
    );
    expect(kinds.filter((name) => name.includes('backup'))).toEqual([]);
  });
});

describe('ServiceAccounts and workload identity', () => {
  const accounts = (input: unknown) =>
    synthesize(input)
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => o as unknown as V1ServiceAccount);

  it('When synthesized, then no ServiceAccount automounts a token', () => {
    for (const account of accounts(exampleInstance('kind')))
      expect(account.automountServiceAccountToken).toBe(false);
  });

  it('When aks backups use workload identity, then only the backup account and Pods carry it', () => {
    const objects = synthesize(exampleInstance('aks'));
    const [app, backup] = accounts(exampleInstance('aks'));
    expect(app?.metadata?.annotations).toBeUndefined();
    expect(backup?.metadata?.annotations).toEqual({
      'azure.workload.identity/client-id': '00000000-0000-0000-0000-0000000000aa',
    });
    const cron = single(objects, 'CronJob') as unknown as V1CronJob;
    expect(cron.spec.jobTemplate.spec?.template.metadata?.labels?.['azure.workload.identity/use']).toBe(
      'true',
    );
    expect(deployment(objects, 'district-a-api').spec?.template.metadata?.labels).not.toHaveProperty(
      'azure.workload.identity/use',
    );
  });

  it('When eks backups use IRSA, then the backup account carries the role ARN', () => {
    const [, backup] = accounts(exampleInstance('eks'));
    expect(backup?.metadata?.annotations?.['eks.amazonaws.com/role-arn']).toBe(
      'arn:aws:iam::123456789012:role/district-a-backup',
    );
  });
});

describe('scheduling', () => {
  it('When spec.scheduling names a node pool, then every Pod of the instance (API, worker, Jobs, PostgreSQL, Redis) selects and tolerates it', () => {
    const scheduling = {
      nodeSelector: { pool: 'district' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'district', effect: 'NoSchedule' }],
    };
    const templates = podTemplates(synthesize(instance({ scheduling })));
    expect(templates.map(({ owner }) => owner.split('/')[0]).sort()).toEqual([
      'CronJob',
      'Deployment',
      'Deployment',
      'Job',
      'StatefulSet',
      'StatefulSet',
    ]);
    for (const { template } of templates) {
      expect(template.spec?.nodeSelector).toEqual(scheduling.nodeSelector);
      expect(template.spec?.tolerations).toEqual(scheduling.tolerations);
    }
  });

  it('When spec.scheduling is not given, then no Pod carries a nodeSelector or tolerations', () => {
    for (const { template } of podTemplates(synthesize(instance()))) {
      expect(template.spec?.nodeSelector).toBeUndefined();
      expect(template.spec?.tolerations).toBeUndefined();
    }
  });
});
