import { renderStatus, type InstanceObject, type PodObject } from '../../../cli/kubectl/status-view.js';

const instance: InstanceObject = {
  metadata: { name: 'district-a', namespace: 'schools', generation: 3 },
  spec: { version: '1.3.0' },
  status: {
    phase: 'Upgrading',
    currentVersion: '1.2.0',
    observedGeneration: 2,
    lastSuccessfulBackup: '2026-12-04T02:30:00Z',
    endpoints: { api: 'http://district-a-api.schools.svc.cluster.local' },
    conditions: [
      { type: 'Ready', status: 'False', reason: 'ComponentsNotReady', message: 'api: 1 of 2 available' },
      { type: 'BackupScheduled', status: 'True', reason: 'BackupSucceeded', message: 'last backup 02:30' },
    ],
  },
};

const pod = (name: string, component: string, ready: boolean, waiting?: string): PodObject => ({
  metadata: { name, labels: { 'app.kubernetes.io/component': component } },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        ready,
        restartCount: ready ? 0 : 4,
        state: waiting ? { waiting: { reason: waiting } } : { running: {} },
      },
    ],
  },
});

describe('kubectl rosterhub status', () => {
  it('When an upgrade is under way, then it shows both versions, every condition and each Pod with its readiness', () => {
    const text = renderStatus(
      instance,
      [pod('district-a-worker-1', 'worker', true), pod('district-a-api-2', 'api', false, 'CrashLoopBackOff')],
      {
        id: 'job-1',
        state: 'rejected',
        outcome: null,
        dryRun: false,
        error: null,
        timings: { createdAt: '2026-12-04T01:00:00Z', finishedAt: '2026-12-04T01:00:05Z', seconds: 5 },
      },
    );
    expect(text).toMatch(/version\s+spec 1\.3\.0, serving 1\.2\.0/);
    expect(text).toMatch(/phase\s+Upgrading \(the latest spec is not acted on yet\)/);
    expect(text).toMatch(/last backup\s+2026-12-04T02:30:00Z \(BackupScheduled True: BackupSucceeded\)/);
    expect(text).toMatch(/last import\s+rejected at 2026-12-04T01:00:05Z, id job-1/);
    expect(text).toMatch(/Ready\s+False\s+ComponentsNotReady\s+api: 1 of 2 available/);
    const pods = text.slice(text.indexOf('  pods'));
    expect(pods).toMatch(
      /district-a-api-2\s+api\s+CrashLoopBackOff\s+ready 0\/1\s+restarts 4\n.*district-a-worker-1\s+worker\s+Running\s+ready 1\/1/,
    );
  });

  it('When nothing has been reconciled or imported yet, then it says so instead of leaving blanks', () => {
    const text = renderStatus({ metadata: { name: 'new' }, spec: { version: '1.0.0' } }, [], null);
    expect(text).toMatch(/serving none yet/);
    expect(text).toMatch(/phase\s+not reconciled yet/);
    expect(text).toMatch(/last import\s+none yet/);
    expect(text).toMatch(/conditions\n\s+none yet/);
  });
});
