// `make cluster-up` / `make cluster-down`: the tests' control plane, in the background, for a
// person. Everything lives in .local/cluster/ (state.json with the pids, logs/, the admin
// kubeconfig, etcd data). Usage (what the Makefile runs):
//   node --import ./test/cluster/support/typescript-imports.ts test/cluster/support/cli.ts up|down|status
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ControlPlane,
  readControlPlaneState,
  stopControlPlane,
  type ControlPlaneState,
} from './control-plane.js';
import { isProcessAlive, isProcessGroupAlive } from './processes.js';
import { startDistrictNode } from './real-node/district-node.js';
import { readRealNodeState, stopRealNode } from './real-node/real-node.js';
import { ensureTestBinaries, findRepoRoot } from './testbin.js';

const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
const dir = join(repoRoot, '.local', 'cluster');
const say = (line: string): boolean => process.stderr.write(`[cluster] ${line}\n`);

/** True when `state` records a finished start-up and every component still runs. */
function running(state: ControlPlaneState | undefined): boolean {
  if (state?.startupSeconds == null) return false;
  return state.components.every((c) => isProcessGroupAlive(c.pid));
}

async function down(): Promise<void> {
  const node = readRealNodeState();
  if (node?.ownerPid === null) {
    say(`stopping the real node (${node.components.map((c) => c.name).join(', ')}) and restoring the host`);
    await stopRealNode(node, say);
  }
  const state = readControlPlaneState(dir);
  if (state) {
    say(`stopping ${state.components.map((c) => c.name).join(', ')}`);
    await stopControlPlane(state);
  }
  rmSync(dir, { recursive: true, force: true });
  say(state ? 'stopped; .local/cluster removed' : 'no control plane was running');
}

async function up(): Promise<void> {
  let state = readControlPlaneState(dir);
  const node = readRealNodeState();
  const nodeRunning = node?.startupSeconds != null && node.components.every((c) => isProcessAlive(c.pid));
  if (state && running(state) && nodeRunning) {
    say(`already running: ${state.server}`);
  } else {
    if (state) say('found a stopped or half-started control plane; cleaning it up');
    await down();
    const binDir = await ensureTestBinaries(repoRoot);
    state = await new ControlPlane({
      binDir,
      repoRoot,
      dir,
      tiedToThisProcess: false,
      progress: say,
    }).start();
    say(
      `control plane up in ${state.startupSeconds?.toFixed(1)} s: ${state.server}; logs in ${join(dir, 'logs')}`,
    );
    const { images } = await startDistrictNode(repoRoot, state, false, say);
    writeFileSync(join(dir, 'images.env'), exportLine(images));
    say('stop it with: make cluster-down');
  }
  process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
  process.stdout.write(readFileSync(join(dir, 'images.env'), 'utf8'));
}

/** `export RH_IMAGE_REPOSITORY=… RH_VERSION=…` for an instance's spec or the chart's values. */
function exportLine(images: Record<string, string>): string {
  return `export ${Object.entries(images)
    .filter(([key]) => key !== 'RH_PAUSE_IMAGE' && key !== 'RH_S3_IMAGE')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}\n`;
}

function status(): void {
  const state = readControlPlaneState(dir);
  if (!state) {
    say('not running');
    process.exitCode = 1;
    return;
  }
  for (const c of state.components) {
    say(
      `${c.name.padEnd(24)} pid ${c.pid}  ${isProcessGroupAlive(c.pid) ? 'running' : 'STOPPED'}  ${c.logFile}`,
    );
  }
  if (!running(state)) process.exitCode = 1;
  process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
}

const commands: Record<string, () => Promise<void> | void> = { up, down, status };
const command = commands[process.argv[2] ?? ''];
if (!command) {
  process.stderr.write('usage: cli.ts up|down|status\n');
  process.exit(2);
}
try {
  await command();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
// The components run on by themselves; idle HTTP keep-alive sockets need not delay the exit.
process.exit();
