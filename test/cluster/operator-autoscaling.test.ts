// The test cluster, like kind and EKS, has no metrics-server: the worker's autoscaler cannot scale.
import {
  applyInstance,
  conditionOf,
  createDistrictNamespace,
  districtInstance,
  waitForCondition,
} from './operator-fixtures.js';
import { useOperatorSuite } from './support/operator-suite.js';

const suite = useOperatorSuite('autoscaling');

describe('worker autoscaling', () => {
  it('When no metrics API answers, then WorkerAutoscaling says so plainly (MetricsUnavailable) and the district is still Ready', async () => {
    const namespace = await createDistrictNamespace('autoscaling');
    await suite.startOperator({ namespaces: [namespace] });
    await applyInstance(districtInstance('district', namespace));
    const instance = await waitForCondition(
      namespace,
      'district',
      'WorkerAutoscaling',
      'False',
      'MetricsUnavailable',
    );
    const message = conditionOf(instance, 'WorkerAutoscaling')?.message ?? '';
    expect(message).toContain('install metrics-server (kind and EKS ship without it) or KEDA');
    expect(message).toContain('metrics.k8s.io');
    expect((await waitForCondition(namespace, 'district', 'Ready')).status?.phase).toBe('Ready');
  }, 90_000);
});
