import { synthesizeDistrict, validateInstance } from '../cdk8s/index.js';
import { DeflatedJson } from './runtime/deflated-json.js';

/** What the API server adds to the objects the operator creates (defaults, metadata, status). */
const SERVER_FIELDS = JSON.stringify({
  metadata: {
    uid: '00000000-0000-0000-0000-000000000000',
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
  },
  spec: {
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    template: {
      spec: {
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
        containers: [
          {
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
          },
        ],
      },
    },
    podManagementPolicy: 'OrderedReady',
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    sessionAffinity: 'None',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
    volumeMode: 'Filesystem',
  },
  status: {
    observedGeneration: 1,
    replicas: 1,
    readyReplicas: 1,
    availableReplicas: 1,
    updatedReplicas: 1,
    currentReplicas: 1,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        lastUpdateTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
      },
    ],
    phase: 'Bound',
    accessModes: ['ReadWriteOnce'],
  },
});

let dictionary: string | undefined;

/**
 * The dictionary the operator's caches deflate with: the objects of one sample district and
 * the fields the API server adds. A cached child or synthesis then keeps only what differs.
 */
function districtDictionary(): string {
  dictionary ??=
    JSON.stringify(
      synthesizeDistrict(
        validateInstance({
          apiVersion: 'rosterhub.io/v1alpha1',
          kind: 'RosterHubInstance',
          metadata: { name: 'district', namespace: 'district' },
          spec: { version: '1.0.0' },
        }),
      ).objects,
    ) + SERVER_FIELDS;
  return dictionary;
}

/** A codec for the objects of districts (cached children, cached syntheses). */
export function districtCodec<T>(): DeflatedJson<T> {
  return new DeflatedJson<T>(districtDictionary());
}
