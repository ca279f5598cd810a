import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { apiFailure } from './support/api-errors.js';
import { adminKubeConfig, createTestNamespace } from './support/cluster.js';

const core = adminKubeConfig().makeApiClient(CoreV1Api);

const privilegedPod: V1Pod = {
  metadata: { name: 'privileged' },
  spec: { containers: [{ name: 'app', image: 'busybox:1.37', securityContext: { privileged: true } }] },
};

const restrictedPod: V1Pod = {
  metadata: { name: 'compliant' },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [
      {
        name: 'app',
        image: 'busybox:1.37',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
  },
};

describe('PodSecurity admission', () => {
  it('When a namespace enforces the restricted level, then a privileged Pod is rejected and a compliant Pod is admitted', async () => {
    const namespace = await createTestNamespace('psa-restricted', {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });

    const rejected = await apiFailure(core.createNamespacedPod({ namespace, body: privilegedPod }));
    expect(rejected.code).toBe(403);
    expect(rejected.status.message).toContain('violates PodSecurity "restricted:latest"');
    expect(rejected.status.message).toContain('privileged');

    const admitted = await core.createNamespacedPod({ namespace, body: restrictedPod });
    expect(admitted.metadata?.name).toBe('compliant');
  });

  it('When a namespace has no pod-security label, then the same privileged Pod is admitted (the label is what rejects it)', async () => {
    const namespace = await createTestNamespace('psa-unlabelled');
    const admitted = await core.createNamespacedPod({ namespace, body: privilegedPod });
    expect(admitted.spec?.containers[0]?.securityContext?.privileged).toBe(true);
  });
});
