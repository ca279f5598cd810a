import { AppsV1Api, BatchV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { adminKubeConfig, createTestNamespace, waitFor } from './support/cluster.js';

const kubeConfig = adminKubeConfig();
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const batch = kubeConfig.makeApiClient(BatchV1Api);

const isReady = (pod: V1Pod): boolean =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

describe('workloads on the fake nodes', () => {
  it('When a Deployment is created, then its Pods are scheduled onto Nodes and become Running and Ready', async () => {
    const namespace = await createTestNamespace('deployment');
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
    });

    const pods = await waitFor(async () => {
      const { items } = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      const running = items.filter((pod) => pod.status?.phase === 'Running' && isReady(pod));
      return running.length === 3 && items.length === 3 && items;
    });
    for (const pod of pods) {
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
      expect(pod.status?.podIP).toMatch(/^10\.244\./);
      expect(pod.status?.containerStatuses?.[0]?.state?.running).toBeDefined();
    }
    const deployment = await waitFor(async () => {
      const found = await apps.readNamespacedDeploymentStatus({ name: 'web', namespace });
      return found.status?.readyReplicas === 3 && found;
    });
    expect(deployment.status?.availableReplicas).toBe(3);
  });

  it('When a Job runs, then its Pod completes and the Job reports Complete', async () => {
    const namespace = await createTestNamespace('job');
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'once' },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'task', image: 'busybox:1.37', command: ['true'] }],
            },
          },
        },
      },
    });

    const job = await waitFor(async () => {
      const found = await batch.readNamespacedJobStatus({ name: 'once', namespace });
      return found.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') && found;
    });
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.failed ?? 0).toBe(0);
    const { items } = await core.listNamespacedPod({
      namespace,
      labelSelector: 'batch.kubernetes.io/job-name=once',
    });
    expect(items.map((pod) => pod.status?.phase)).toEqual(['Succeeded']);
    expect(items[0]?.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
  });
});
