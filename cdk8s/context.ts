import type { RosterHubInstanceSpec } from './spec.js';
import type { InstanceNames } from './names.js';
import type { PlatformProfile } from './platforms.js';

/** Everything a construct needs to know about the instance it builds a part of. */
export interface InstanceContext {
  readonly name: string;
  readonly namespace: string;
  /** The spec with every default applied. */
  readonly spec: RosterHubInstanceSpec;
  readonly names: InstanceNames;
  readonly profile: PlatformProfile;
  /** `repository:version` of the RosterHub image. */
  readonly image: string;
  /** Ports of the external data services, from their Secrets (see SynthesisOptions). */
  readonly externalPorts: ExternalPorts;
  /** What scales the worker (see SynthesisOptions). */
  readonly workerAutoscaler: WorkerAutoscalerKind;
}

/**
 * `hpa`: a HorizontalPodAutoscaler on CPU. `keda`: a KEDA ScaledObject on the import queue's
 * depth, with CPU beside it (when the API server serves keda.sh ScaledObjects).
 */
export type WorkerAutoscalerKind = 'hpa' | 'keda';

/** The `port` keys of the external PostgreSQL and Redis Secrets, when known. */
export interface ExternalPorts {
  readonly postgres?: number;
  readonly redis?: number;
}
