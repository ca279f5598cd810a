// A tiny dynamic volume provisioner for the test control plane, like kind's
// local-path-provisioner: it keeps the StorageClasses `standard` (the cluster default) and
// `fixed-size` (volumes that cannot grow) and, for each Pending PersistentVolumeClaim of those
// classes, creates a hostPath PersistentVolume under the cluster folder whose claimRef names the
// claim, so kube-controller-manager binds the two. kwok mounts nothing, so the folder stays
// empty; what matters is that claims bind and StatefulSet Pods schedule. It also resizes, as
// external-resizer does for a CSI driver: a bound `standard` claim asking for more than its
// capacity gets its volume's capacity raised, then its own. Runs as a control-plane component
// (control-plane.ts launches it under a watchdog); Node.js runs this file from source (no
// parameter properties or enums here).
//   node --import ./typescript-imports.ts volume-provisioner.ts <kubeconfig> <volumes folder>
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  StorageV1Api,
  Watch,
  type V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseQuantity } from '../../../cdk8s/quantity.js';

/** The StorageClass the provisioner serves (kind's default class name); its volumes can grow. */
export const STORAGE_CLASS = 'standard';
/** A second class of the provisioner whose volumes cannot grow (`allowVolumeExpansion: false`). */
export const FIXED_SIZE_STORAGE_CLASS = 'fixed-size';
/** `provisioner` of that StorageClass and `pv.kubernetes.io/provisioned-by` of its volumes. */
export const PROVISIONER = 'rosterhub.io/test-hostpath';

/** The PersistentVolume name of a claim (as external provisioners name them). */
export const volumeNameFor = (claim: V1PersistentVolumeClaim): string => `pvc-${claim.metadata?.uid ?? ''}`;

function needsVolume(claim: V1PersistentVolumeClaim): boolean {
  return (
    (claim.spec?.storageClassName === STORAGE_CLASS ||
      claim.spec?.storageClassName === FIXED_SIZE_STORAGE_CLASS) &&
    !claim.spec.volumeName &&
    claim.status?.phase !== 'Bound' &&
    !claim.metadata?.deletionTimestamp
  );
}

const requested = (claim: V1PersistentVolumeClaim): string | undefined =>
  claim.spec?.resources?.requests?.storage;

function needsResize(claim: V1PersistentVolumeClaim): boolean {
  const capacity = claim.status?.capacity?.storage;
  const wanted = requested(claim);
  return (
    claim.spec?.storageClassName === STORAGE_CLASS &&
    claim.status?.phase === 'Bound' &&
    capacity !== undefined &&
    wanted !== undefined &&
    parseQuantity(wanted) > parseQuantity(capacity)
  );
}

/** Keeps the StorageClass and provisions volumes until the process ends. */
export class VolumeProvisioner {
  readonly #core: CoreV1Api;
  readonly #storage: StorageV1Api;
  readonly #watch: Watch;
  readonly #volumesDir: string;
  readonly #log: (line: string) => void;

  constructor(kubeConfig: KubeConfig, volumesDir: string, log: (line: string) => void) {
    this.#core = kubeConfig.makeApiClient(CoreV1Api);
    this.#storage = kubeConfig.makeApiClient(StorageV1Api);
    this.#watch = new Watch(kubeConfig);
    this.#volumesDir = volumesDir;
    this.#log = log;
  }

  /** Ensures the StorageClass, then lists and watches claims forever (errors are retried). */
  async run(): Promise<never> {
    for (;;) {
      try {
        await this.#ensureStorageClasses();
        const list = await this.#core.listPersistentVolumeClaimForAllNamespaces();
        for (const claim of list.items) await this.#provision(claim);
        await this.#watchClaims(list.metadata?.resourceVersion ?? '');
      } catch (error) {
        this.#log(`retrying in 1 s: ${error instanceof Error ? error.message : String(error)}`);
        await sleep(1000);
      }
    }
  }

  async #ensureStorageClasses(): Promise<void> {
    const classes = [
      { name: STORAGE_CLASS, isDefault: true, allowVolumeExpansion: true },
      { name: FIXED_SIZE_STORAGE_CLASS, isDefault: false, allowVolumeExpansion: false },
    ];
    for (const { name, isDefault, allowVolumeExpansion } of classes) {
      try {
        await this.#storage.createStorageClass({
          body: {
            metadata: {
              name,
              ...(isDefault
                ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }
                : {}),
            },
            provisioner: PROVISIONER,
            reclaimPolicy: 'Retain',
            volumeBindingMode: 'Immediate',
            allowVolumeExpansion,
          },
        });
        this.#log(`created StorageClass ${name}`);
      } catch (error) {
        if (!(error instanceof ApiException && error.code === 409)) throw error;
      }
    }
  }

  /** Resolves when the watch ends (timeout, 410 Gone, connection lost): the caller relists. */
  #watchClaims(resourceVersion: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let pending = Promise.resolve();
      this.#watch
        .watch(
          '/api/v1/persistentvolumeclaims',
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (phase: string, claim: V1PersistentVolumeClaim) => {
            if (phase !== 'ADDED' && phase !== 'MODIFIED') return;
            pending = pending.then(() => this.#provision(claim)).catch(reject);
          },
          (error: unknown) => {
            void pending.then(() =>
              error ? reject(error instanceof Error ? error : new Error(JSON.stringify(error))) : resolve(),
            );
          },
        )
        .catch(reject);
    });
  }

  async #provision(claim: V1PersistentVolumeClaim): Promise<void> {
    if (needsResize(claim)) return this.#resize(claim);
    if (!needsVolume(claim)) return;
    const namespace = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    const volumeName = volumeNameFor(claim);
    const path = join(this.#volumesDir, `${namespace}_${name}_${volumeName}`);
    mkdirSync(path, { recursive: true });
    // world-writable, as local-path-provisioner (kind) makes them: the kubelet applies no
    // fsGroup to hostPath volumes, and the database runs as uid 999
    chmodSync(path, 0o777);
    try {
      await this.#core.createPersistentVolume({
        body: {
          metadata: { name: volumeName, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
          spec: {
            capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
            accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
            volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
            storageClassName: claim.spec?.storageClassName ?? STORAGE_CLASS,
            persistentVolumeReclaimPolicy: 'Retain',
            hostPath: { path, type: 'DirectoryOrCreate' },
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace,
              name,
              uid: claim.metadata?.uid ?? '',
            },
          },
        },
      });
      this.#log(`provisioned ${volumeName} for ${namespace}/${name}`);
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 409)) throw error;
    }
  }

  /** What external-resizer does once the driver grew a volume: the volume's capacity, then the claim's. */
  async #resize(claim: V1PersistentVolumeClaim): Promise<void> {
    const namespace = claim.metadata?.namespace ?? '';
    const name = claim.metadata?.name ?? '';
    const size = requested(claim) ?? '';
    const volumeName = claim.spec?.volumeName ?? '';
    const volume = await this.#core.readPersistentVolume({ name: volumeName });
    if (volume.spec) volume.spec.capacity = { ...volume.spec.capacity, storage: size };
    await this.#core.replacePersistentVolume({ name: volumeName, body: volume });
    const current = await this.#core.readNamespacedPersistentVolumeClaim({ name, namespace });
    current.status ??= {};
    current.status.capacity = { ...current.status.capacity, storage: size };
    current.status.conditions = (current.status.conditions ?? []).filter(
      (condition) => condition.type !== 'Resizing' && condition.type !== 'FileSystemResizePending',
    );
    await this.#core.replaceNamespacedPersistentVolumeClaimStatus({ name, namespace, body: current });
    this.#log(`resized ${volumeName} of ${namespace}/${name} to ${size}`);
  }
}

const [kubeconfigPath, volumesDir] = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!kubeconfigPath || !volumesDir)
    throw new Error('usage: volume-provisioner.ts <kubeconfig> <volumes folder>');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  process.once('SIGTERM', () => process.exit(0));
  await new VolumeProvisioner(kubeConfig, volumesDir, log).run();
}
