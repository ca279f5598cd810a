import { homedir } from 'node:os';
import { join } from 'node:path';
import { certificateFiles } from '../certificates.js';
import type { ControlPlaneState } from '../control-plane.js';
import { runScript } from '../testbin.js';
import { RealNode, type RealNodeState } from './real-node.js';

const IMAGE_KEYS = [
  'RH_IMAGE_REPOSITORY',
  'RH_VERSION',
  'RH_OPERATOR_IMAGE',
  'RH_POSTGRES_IMAGE',
  'RH_REDIS_IMAGE',
  'RH_PAUSE_IMAGE',
  'RH_S3_IMAGE',
] as const;

/** The images a district on the real node runs, as `make cluster-up` prints them. */
export type NodeImages = Record<(typeof IMAGE_KEYS)[number], string>;

const cacheRoot = (): string => join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rosterhub');

function parseImages(stdout: string): NodeImages {
  const values = new Map(
    stdout
      .split('\n')
      .map((line) => /^(RH_[A-Z0-9_]+)=(.+)$/.exec(line.trim()))
      .filter((match) => match !== null)
      .map((match) => [match[1]!, match[2]!] as const),
  );
  const missing = IMAGE_KEYS.filter((key) => !values.get(key));
  if (missing.length > 0) throw new Error(`scripts/build-images.sh printed no ${missing.join(', ')}`);
  return Object.fromEntries(IMAGE_KEYS.map((key) => [key, values.get(key) ?? ''])) as NodeImages;
}

/** The archive build-images.sh writes for an image. */
export const archiveOf = (dir: string, image: string): string =>
  join(dir, `${image.replace(/[/:]/g, '_')}.tar`);

/**
 * Builds (or checks) the node's binaries and every image — RosterHub's from the Dockerfile,
 * the test PostgreSQL, Redis and pause images — then starts the real node on the control plane
 * of `state` with them imported.
 */
export async function startDistrictNode(
  repoRoot: string,
  controlPlane: ControlPlaneState,
  tiedToThisProcess: boolean,
  say: (line: string) => void,
): Promise<{ node: RealNode; state: RealNodeState; images: NodeImages }> {
  const binDir = (await runScript(repoRoot, 'node-testbin.sh')).trim().split('\n').pop() ?? '';
  const archives = join(cacheRoot(), 'images', 'archives');
  const images = parseImages(
    await runScript(repoRoot, 'build-images.sh', ['--test-images', '--archives', archives]),
  );
  const node = new RealNode({
    dir: join(controlPlane.dir, 'real-node'),
    containerdRoot: join(cacheRoot(), 'real-node', 'containerd'),
    binDir,
    archives: [
      images.RH_PAUSE_IMAGE,
      `${images.RH_IMAGE_REPOSITORY}:${images.RH_VERSION}`,
      images.RH_OPERATOR_IMAGE,
      images.RH_POSTGRES_IMAGE,
      images.RH_REDIS_IMAGE,
      images.RH_S3_IMAGE,
    ].map((image) => archiveOf(archives, image)),
    pauseImage: images.RH_PAUSE_IMAGE,
    controlPlane: {
      kubeconfig: controlPlane.kubeconfig,
      server: controlPlane.server,
      certs: certificateFiles(controlPlane.dir),
    },
    tiedToThisProcess,
    progress: say,
  });
  const state = await node.start();
  say(`real node up in ${state.startupSeconds?.toFixed(1)} s; logs in ${join(state.dir, 'logs')}`);
  return { node, state, images };
}
