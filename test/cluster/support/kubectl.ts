// kubectl and helm as a platform team runs them (scripts/k8s-tools.sh pins both), against the
// KUBECONFIG of the test cluster.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRepoRoot } from './testbin.js';

// found by walking up, so that this works from dist/ (benchmarks) as from the sources
const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** Folder holding the pinned kubectl and helm. */
export const toolsDir = execFileSync(join(repoRoot, 'scripts', 'k8s-tools.sh'), {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'ignore'],
})
  .trim()
  .split('\n')
  .at(-1)!;

/** Runs helm or kubectl; throws with its stderr when it fails. */
export function run(tool: 'helm' | 'kubectl', args: string[], input?: string): string {
  const result = spawnSync(`${toolsDir}/${tool}`, args, {
    encoding: 'utf8',
    input,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

export const kubectl = (...args: string[]): string => run('kubectl', args);

export const kubectlJson = (...args: string[]): unknown => JSON.parse(kubectl(...args, '-o', 'json'));

/** Whether `kubectl get ARGS` finds the object. */
export const exists = (...args: string[]): boolean =>
  spawnSync(`${toolsDir}/kubectl`, ['get', ...args, '--ignore-not-found', '-o', 'name'], {
    encoding: 'utf8',
  }).stdout.trim() !== '';

/** Runs a command and ignores its outcome (clean-up). */
export const bestEffort = (tool: 'helm' | 'kubectl', args: string[]): void => {
  spawnSync(`${toolsDir}/${tool}`, args, { encoding: 'utf8' });
};

/** The CRD every RosterHub chart release ships. */
export const ROSTERHUB_CRD = 'rosterhubinstances.rosterhub.io';

/**
 * Lets `helm install RELEASE` adopt the CRD when an earlier test (or release) applied it
 * already, as docs/install.md tells a platform team to hand it to Helm.
 */
export function handCrdToRelease(release: string, namespace: string): void {
  if (!exists('crd', ROSTERHUB_CRD)) return;
  kubectl(
    'annotate',
    'crd',
    ROSTERHUB_CRD,
    '--overwrite',
    `meta.helm.sh/release-name=${release}`,
    `meta.helm.sh/release-namespace=${namespace}`,
  );
  kubectl('label', 'crd', ROSTERHUB_CRD, '--overwrite', 'app.kubernetes.io/managed-by=Helm');
}

/** `kubectl patch rhi NAME --type merge`: what a platform team does to change one instance's spec. */
export function patchInstanceSpec(namespace: string, name: string, spec: Record<string, unknown>): void {
  kubectl('-n', namespace, 'patch', 'rhi', name, '--type', 'merge', '-p', JSON.stringify({ spec }));
}
