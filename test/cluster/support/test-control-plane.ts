import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlPlane, type ControlPlaneState } from './control-plane.js';
import { startDistrictNode, type NodeImages } from './real-node/district-node.js';
import { removeStaleRealNode } from './real-node/real-node.js';
import { TEST_CLUSTER_DIR_PREFIX, removeStaleTestClusters } from './stale-clusters.js';
import { ensureTestBinaries } from './testbin.js';

/** The control plane of one jest run. */
export interface TestControlPlane {
  state: ControlPlaneState;
  /** The images on the real node (RH_IMAGE_REPOSITORY, RH_VERSION, …). */
  images: NodeImages;
  /** Stops every component and removes the temporary folder (kept when ROSTERHUB_KEEP_CLUSTER_DIR is set). */
  stop(): Promise<void>;
}

/**
 * Builds or checks the binaries (scripts/k8s-testbin.sh, scripts/node-testbin.sh) and the images
 * (scripts/build-images.sh), then starts a control plane in a new temporary folder with three
 * kwok nodes and one real node, tied to this process: its components stop when this process
 * ends, even when it is killed (the host state the real node changed is restored by the next
 * run then).
 */
export async function startTestControlPlane(
  repoRoot: string,
  say: (line: string) => void,
): Promise<TestControlPlane> {
  // first the real node of a crashed run: its mounts live inside that run's folder
  await removeStaleRealNode(say);
  await removeStaleTestClusters();
  const binDir = await ensureTestBinaries(repoRoot);
  const dir = mkdtempSync(join(tmpdir(), TEST_CLUSTER_DIR_PREFIX));
  const controlPlane = new ControlPlane({ binDir, repoRoot, dir, tiedToThisProcess: true, progress: say });
  const state = await controlPlane.start();
  say(
    `control plane up in ${state.startupSeconds?.toFixed(1)} s: ${state.server}, logs in ${join(dir, 'logs')}`,
  );
  let node;
  try {
    node = await startDistrictNode(repoRoot, state, true, say);
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
  return {
    state,
    images: node.images,
    async stop() {
      await node.node.stop();
      await controlPlane.stop();
      if (process.env.ROSTERHUB_KEEP_CLUSTER_DIR) say(`kept ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
