import type { V1Container, V1PodSpec } from '@kubernetes/client-node';
import { platforms, synthesize } from '../../../cdk8s/index.js';
import { cloudSettings, exampleInstance, instance, podTemplates } from './support.js';

const variants = [
  ...platforms.map((platform) => ({ label: `${platform} example`, input: exampleInstance(platform) })),
  {
    label: 'external data services, s3 with a Secret',
    input: instance({
      database: { mode: 'external', externalSecretRef: { name: 'pg' } },
      redis: { mode: 'external', externalSecretRef: { name: 'redis' } },
      backup: {
        destination: { type: 's3', s3: { bucket: 'backups' }, credentialsSecretRef: { name: 's3' } },
      },
      ...cloudSettings,
    }),
  },
  { label: 'suspended', input: instance({ suspend: true }) },
];

const templates = variants.flatMap(({ label, input }) =>
  podTemplates(synthesize(input)).map(({ owner, template }) => ({
    name: `${label}: ${owner}`,
    spec: template.spec!,
  })),
);

function containers(spec: V1PodSpec): V1Container[] {
  return [...spec.containers, ...(spec.initContainers ?? [])];
}

describe('Pod Security restricted, on every pod template of every platform', () => {
  it('When the examples are synthesized, then there are pod templates to check', () => {
    expect(templates.length).toBeGreaterThan(20);
  });

  it.each(templates)(
    'When $name is built, then it runs as non-root with RuntimeDefault seccomp',
    ({ spec }) => {
      expect(spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      expect(spec.hostIPC ?? false).toBe(false);
      for (const volume of spec.volumes ?? []) {
        expect(Object.keys(volume).filter((key) => key !== 'name')).toEqual([
          expect.stringMatching(/^(emptyDir|persistentVolumeClaim|configMap|secret|projected)$/) as string,
        ]);
      }
    },
  );

  it.each(templates)(
    'When $name is built, then every container drops ALL capabilities and cannot escalate',
    ({ spec }) => {
      for (const container of containers(spec)) {
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.securityContext?.capabilities?.add).toBeUndefined();
        expect(container.ports?.every((port) => port.hostPort === undefined) ?? true).toBe(true);
      }
    },
  );

  it.each(templates)('When $name is built, then it mounts no service-account token', ({ spec }) => {
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  it.each(templates)(
    'When $name is built, then every container has deliberate requests and limits (not cdk8s-plus defaults)',
    ({ spec }) => {
      for (const container of containers(spec)) {
        const resources = container.resources;
        expect(Object.keys(resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
        // cdk8s-plus-27 would inject 1000m/512Mi requests and 1500m/2048Mi limits.
        expect(resources?.limits?.cpu).not.toBe('1500m');
        expect(resources?.limits?.memory).not.toBe('2048Mi');
        expect(container.imagePullPolicy).toBeDefined();
      }
    },
  );
});
