// With KEDA installed (its ScaledObject CRD, a stand-in here; the operator itself does not run),
// the worker scales on the import queue's depth instead of CPU alone.
import { waitFor } from './support/cluster.js';
import {
  admin,
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  getObject,
  serves,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';
import type { KubeObject } from '../../operator/kube/kube-client.js';

const CRDS = 'apiextensions.k8s.io/v1';
const SCALED_OBJECTS = 'scaledobjects.keda.sh';

const scaledObjectCrd: KubeObject = {
  apiVersion: CRDS,
  kind: 'CustomResourceDefinition',
  metadata: { name: SCALED_OBJECTS },
  spec: {
    group: 'keda.sh',
    scope: 'Namespaced',
    names: {
      plural: 'scaledobjects',
      singular: 'scaledobject',
      kind: 'ScaledObject',
      listKind: 'ScaledObjectList',
    },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const servesScaledObjects = (): Promise<boolean> => serves('keda.sh/v1alpha1', 'scaledobjects');

beforeAll(async () => {
  await admin().apply(scaledObjectCrd, 'rosterhub-cluster-tests');
  await waitFor(servesScaledObjects);
});

// Registered before the suite's hooks, so it runs after them: later files see no KEDA.
afterAll(async () => {
  await admin().delete({
    apiVersion: CRDS,
    kind: 'CustomResourceDefinition',
    metadata: { name: SCALED_OBJECTS },
  });
  await waitFor(async () => !(await servesScaledObjects()));
});

const suite = useOperatorSuite('keda');

interface ScaledObjectSpec {
  scaleTargetRef: { name: string };
  minReplicaCount: number;
  maxReplicaCount: number;
  triggers: { type: string; metadata: Record<string, string> }[];
}

describe('worker autoscaling with KEDA', () => {
  it('When KEDA serves ScaledObjects, then the worker scales on the import queue (Redis list) and CPU, KEDA may reach Redis, and WorkerAutoscaling follows the ScaledObject', async () => {
    const namespace = await createDistrictNamespace('keda');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    await waitForCondition(namespace, 'district', 'Ready');

    const scaledObject = await waitFor(() =>
      getObject('keda.sh/v1alpha1', 'ScaledObject', namespace, 'district-worker'),
    );
    const spec = scaledObject.spec as ScaledObjectSpec;
    expect(spec.scaleTargetRef.name).toBe('district-worker');
    expect(spec.triggers.map((trigger) => trigger.type)).toEqual(['redis', 'cpu']);
    expect(spec.triggers[0]?.metadata).toMatchObject({
      listName: 'bull:rosterhub-imports:wait',
      hostFromEnv: 'REDIS_HOST',
      passwordFromEnv: 'REDIS_PASSWORD',
    });
    expect(
      await getObject('autoscaling/v2', 'HorizontalPodAutoscaler', namespace, 'district-worker'),
    ).toBeUndefined();
    const redisIngress = await getObject(
      'networking.k8s.io/v1',
      'NetworkPolicy',
      namespace,
      'district-allow-redis-ingress',
    );
    expect(JSON.stringify(redisIngress?.spec)).toContain('keda-operator');

    const waiting = await waitForCondition(
      namespace,
      'district',
      'WorkerAutoscaling',
      'False',
      'ScalerNotReady',
    );
    expect(conditionOf(waiting, 'WorkerAutoscaling')?.message).toContain('is the KEDA operator running');

    // What the KEDA operator writes once its scaler reads the queue.
    await admin().request(
      'PATCH',
      `/apis/keda.sh/v1alpha1/namespaces/${namespace}/scaledobjects/district-worker/status`,
      {
        body: {
          status: {
            conditions: [{ type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ok' }],
          },
        },
        contentType: 'application/merge-patch+json',
      },
    );
    await waitForCondition(namespace, 'district', 'WorkerAutoscaling', 'True', 'MetricsAvailable');
  });
});
