import { ConditionType, Reason, type DesiredCondition } from '../../conditions.js';
import { kindLabel } from '../../kube/kube-client.js';
import { condition, type StatusInputs } from './inputs.js';
import { instanceNames } from './names.js';

const serviceMonitorKind = kindLabel({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor' });

/** MonitoringReady: the ServiceMonitor is wanted, its CRD installed, and it exists. */
export function monitoringReady(inputs: StatusInputs): DesiredCondition {
  const { instance, notServed, observed, generation } = inputs;
  const at = (ok: boolean, reason: string, message: string) =>
    condition(ConditionType.MonitoringReady, ok, reason, message, generation);
  const name = instanceNames(inputs).api;
  if (!instance.spec.monitoring.serviceMonitor.enabled) {
    return at(
      false,
      Reason.Disabled,
      'the ServiceMonitor is disabled (spec.monitoring.serviceMonitor.enabled)',
    );
  }
  if (notServed.has(serviceMonitorKind)) {
    return at(
      false,
      Reason.CRDNotInstalled,
      `${serviceMonitorKind} is not installed: install the Prometheus Operator CRDs, or disable spec.monitoring.serviceMonitor`,
    );
  }
  return observed.get('monitoring.coreos.com/v1', 'ServiceMonitor', name)
    ? at(true, Reason.Applied, `ServiceMonitor ${name} is applied`)
    : at(false, Reason.Progressing, `ServiceMonitor ${name} does not exist yet`);
}
