import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { scaledObjectKind } from '../../../cdk8s/index.js';
import { condition, type StatusInputs } from './inputs.js';
import { instanceNames } from './names.js';

interface AutoscalerStatus {
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
}

/** Reasons the HPA controller gives when it cannot read a metric it scales on. */
const METRICS_FAILURES = new Set([
  'FailedGetResourceMetric',
  'FailedGetPodsMetric',
  'FailedGetObjectMetric',
  'FailedGetExternalMetric',
  'FailedGetContainerResourceMetric',
]);

/** WorkerAutoscaling with KEDA: the ScaledObject's Ready condition, which the KEDA operator sets. */
function kedaScaling(
  inputs: StatusInputs,
  name: string,
  at: (ok: boolean, reason: string, message: string) => DesiredCondition,
): DesiredCondition {
  const scaledObject = inputs.observed.get(scaledObjectKind.apiVersion, scaledObjectKind.kind, name);
  if (!scaledObject) return at(false, Reason.Progressing, `ScaledObject ${name} does not exist yet`);
  const ready = ((scaledObject.status ?? {}) as AutoscalerStatus).conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') {
    return at(
      true,
      Reason.MetricsAvailable,
      `ScaledObject ${name} scales the worker on the import queue's depth and CPU`,
    );
  }
  if (!ready || ready.status === 'Unknown') {
    return at(
      false,
      Reason.ScalerNotReady,
      `KEDA has not reported on ScaledObject ${name} yet: is the KEDA operator running (namespace keda)?`,
    );
  }
  return at(
    false,
    Reason.ScalerNotReady,
    `ScaledObject ${name} is not ready (${ready.reason ?? 'no reason'}: ${ready.message ?? 'no message'}): can the KEDA operator reach Redis?`,
  );
}

/**
 * WorkerAutoscaling: whether the worker's HorizontalPodAutoscaler can read its metrics and so
 * scale, from the HPA controller's own ScalingActive condition. kind and EKS ship without
 * metrics-server: their HPA never scales, and this says so in words.
 */
export function workerAutoscaling(inputs: StatusInputs): DesiredCondition {
  const name = instanceNames(inputs).worker;
  const at = (ok: boolean, reason: string, message: string) =>
    condition(ConditionType.WorkerAutoscaling, ok, reason, message, inputs.generation);
  const scaled = inputs.plan.target.objects.some((object) => object.kind === scaledObjectKind.kind);
  if (scaled) return kedaScaling(inputs, name, at);
  const autoscaler = inputs.observed.get('autoscaling/v2', 'HorizontalPodAutoscaler', name);
  if (!autoscaler) return at(false, Reason.Progressing, `HorizontalPodAutoscaler ${name} does not exist yet`);
  const active = ((autoscaler.status ?? {}) as AutoscalerStatus).conditions?.find(
    (c) => c.type === 'ScalingActive',
  );
  if (!active)
    return at(false, Reason.Progressing, `HorizontalPodAutoscaler ${name} has not evaluated its metrics yet`);
  if (active.status === 'True') {
    return at(
      true,
      Reason.MetricsAvailable,
      `HorizontalPodAutoscaler ${name} reads its metrics and scales the worker`,
    );
  }
  if (METRICS_FAILURES.has(active.reason ?? '')) {
    return at(
      false,
      Reason.MetricsUnavailable,
      `no metrics API answers, so the worker stays at spec.worker.minReplicas: install metrics-server (kind and EKS ship without it) or KEDA. The autoscaler says: ${active.message ?? active.reason}`,
    );
  }
  return at(false, active.reason ?? Reason.Unavailable, active.message ?? 'the autoscaler is not scaling');
}
