import { createLogger } from '../../../lib/logging/logger.js';
import type { DesiredCondition } from '../../../operator/conditions.js';
import type { EventRecorder } from '../../../operator/events.js';
import type { KubeClient } from '../../../operator/kube/kube-client.js';
import type { DesiredStatus } from '../../../operator/reconcile/status.js';
import { StatusWriter, type InstanceObject } from '../../../operator/reconcile/status-writer.js';

/** Records status patches and Events instead of sending them. */
function recording() {
  const patches: { path: string; body: unknown }[] = [];
  const events: { type: string; reason: string }[] = [];
  const client = {
    request: (_method: string, path: string, options: { body: unknown }) => {
      patches.push({ path, body: options.body });
      return Promise.resolve({});
    },
  } as unknown as KubeClient;
  const recorder = {
    record: (_subject: unknown, type: string, reason: string) => {
      events.push({ type, reason });
      return Promise.resolve();
    },
  } as unknown as EventRecorder;
  const logger = createLogger({ service: 'test', version: 'test', level: 'error', format: 'json' });
  return { writer: new StatusWriter(client, recorder, logger), patches, events };
}

const instance = (resourceVersion: string, status?: InstanceObject['status']): InstanceObject => ({
  apiVersion: 'rosterhub.io/v1alpha1',
  kind: 'RosterHubInstance',
  metadata: { name: 'district', namespace: 'districts', generation: 1, resourceVersion },
  ...(status ? { status } : {}),
});

const condition = (type: string, ok: boolean, reason: string): DesiredCondition => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message: reason,
  observedGeneration: 1,
});

const desired = (conditions: DesiredCondition[], extra: Partial<DesiredStatus> = {}): DesiredStatus => ({
  observedGeneration: 1,
  phase: 'Installing',
  conditions,
  endpoints: { api: 'http://district-api.districts.svc:80' },
  ...extra,
});

describe('StatusWriter', () => {
  it('When the informer has not yet seen the last write, then the same status is not written again', async () => {
    const { writer, patches } = recording();
    const status = desired([condition('Ready', false, 'ComponentsNotReady')]);
    await writer.write(instance('10'), status);
    await writer.write(instance('10'), status);
    expect(patches).toHaveLength(1);
    expect(patches[0]?.path).toBe(
      '/apis/rosterhub.io/v1alpha1/namespaces/districts/rosterhubinstances/district/status',
    );
  });

  it('When the informer has caught up, then its copy is what the new status is compared with', async () => {
    const { writer, patches } = recording();
    await writer.write(instance('10'), desired([condition('Ready', false, 'ComponentsNotReady')]));
    const stored = (patches[0]?.body as { status: InstanceObject['status'] }).status;
    await writer.write(instance('11', stored), desired([condition('Ready', false, 'ComponentsNotReady')]));
    expect(patches).toHaveLength(1);
    await writer.write(instance('11', stored), desired([condition('Ready', true, 'AllComponentsReady')]));
    expect(patches).toHaveLength(2);
  });

  it('When conditions first appear, then only those a person must act on get an Event; later flips all do', async () => {
    const { writer, events, patches } = recording();
    await writer.write(
      instance('1'),
      desired([
        condition('Ready', false, 'ComponentsNotReady'),
        condition('ApiReady', false, 'Unavailable'),
        condition('MonitoringReady', false, 'CRDNotInstalled'),
        condition('Paused', false, 'ReconciliationActive'),
      ]),
    );
    expect(events).toEqual([{ type: 'Warning', reason: 'CRDNotInstalled' }]);
    const stored = (patches[0]?.body as { status: InstanceObject['status'] }).status;
    await writer.write(
      instance('2', stored),
      desired([
        condition('Ready', true, 'AllComponentsReady'),
        condition('ApiReady', true, 'Available'),
        condition('MonitoringReady', false, 'CRDNotInstalled'),
        condition('Paused', false, 'ReconciliationActive'),
      ]),
    );
    expect(events.slice(1)).toEqual([
      { type: 'Normal', reason: 'AllComponentsReady' },
      { type: 'Normal', reason: 'Available' },
    ]);
  });

  it('When a field is dropped from status, then the merge patch removes it', async () => {
    const { writer, patches } = recording();
    const before = { ...desired([]), endpoints: { api: 'a', ingress: 'http://x' }, currentVersion: '1.4.2' };
    await writer.write(instance('5', { ...before, conditions: [] }), desired([], { phase: 'Error' }));
    expect(patches[0]?.body).toMatchObject({
      status: { currentVersion: null, endpoints: { ingress: null } },
    });
  });
});
