import { defaultNamespace } from '../cdk8s/index.js';

/**
 * `namespace/name` of a RosterHubInstance: its work-queue key, and the key of everything kept
 * per instance (phase, written status, syntheses). No namespace means the default one.
 */
export const instanceKey = (metadata: { namespace?: string | undefined; name: string }): string =>
  `${metadata.namespace ?? defaultNamespace}/${metadata.name}`;
