import { defaultNamespace } from '../cdk8s/index.js';
import type { KubeClient, KubeObject } from './kube/kube-client.js';

/** Writes core/v1 Events about an instance; the reconciler emits them on condition transitions only. */
export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly component: string,
    private readonly host: string,
  ) {}

  async record(
    subject: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const namespace = subject.metadata.namespace ?? defaultNamespace;
    const now = new Date().toISOString();
    await this.client.request('POST', `/api/v1/namespaces/${namespace}/events`, {
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${subject.metadata.name}.`, namespace },
        involvedObject: {
          apiVersion: subject.apiVersion,
          kind: subject.kind,
          name: subject.metadata.name,
          namespace,
          uid: subject.metadata.uid,
          resourceVersion: subject.metadata.resourceVersion,
        },
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: this.component, host: this.host },
        reportingComponent: this.component,
        reportingInstance: this.host,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
