import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readControlPlaneState, stopControlPlane } from './control-plane.js';
import { isProcessAlive } from './processes.js';

/** Prefix of the temporary folders of jest-run control planes. */
export const TEST_CLUSTER_DIR_PREFIX = 'rosterhub-cluster-';

/**
 * Removes temporary control-plane folders whose owner process is gone (a jest run that was
 * killed before its teardown), after making sure none of their components still runs.
 */
export async function removeStaleTestClusters(): Promise<void> {
  const root = tmpdir();
  for (const entry of readdirSync(root)) {
    if (!entry.startsWith(TEST_CLUSTER_DIR_PREFIX)) continue;
    const dir = join(root, entry);
    const state = readControlPlaneState(dir);
    // No state yet: another run may be creating its certificates this very moment.
    if (!state && Date.now() - statSync(dir).mtimeMs < 10 * 60_000) continue;
    if (state?.ownerPid != null && isProcessAlive(state.ownerPid)) continue;
    if (state) await stopControlPlane(state);
    rmSync(dir, { recursive: true, force: true });
  }
}
