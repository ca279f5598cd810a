import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The programs a control plane needs, all in the folder `scripts/k8s-testbin.sh` prints. */
export const COMPONENT_BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
];

/** The repository root: the nearest folder at or above `start` that holds scripts/k8s-testbin.sh. */
export function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'scripts', 'k8s-testbin.sh'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no scripts/k8s-testbin.sh at or above ${start}`);
  }
}

/**
 * Runs scripts/k8s-testbin.sh [--oldest] (a no-op when the cache is warm, a ~8 min build when cold, or
 * KUBEBUILDER_ASSETS as is) and returns the binaries' folder. Any failure throws: a missing
 * binary must fail the run, never skip the cluster tests.
 */
export async function ensureTestBinaries(
  repoRoot: string,
  { oldest = false }: { oldest?: boolean } = {},
): Promise<string> {
  const script = join(repoRoot, 'scripts', 'k8s-testbin.sh');
  // --oldest: the oldest Kubernetes the chart supports, for the version matrix
  const stdout = await runScript(repoRoot, 'k8s-testbin.sh', oldest ? ['--oldest'] : []);
  const binDir = stdout.trim().split('\n').pop() ?? '';
  const missing = COMPONENT_BINARIES.filter((name) => !isExecutable(join(binDir, name)));
  if (binDir === '' || missing.length > 0) {
    throw new Error(`${script} printed '${binDir}', which lacks ${missing.join(', ') || 'everything'}`);
  }
  return binDir;
}

/**
 * Runs `scripts/<name> ARGS` (its messages go to this process's stderr) and resolves with its
 * stdout; a failure rejects, naming the script.
 */
export function runScript(repoRoot: string, name: string, args: string[] = []): Promise<string> {
  const script = join(repoRoot, 'scripts', name);
  return new Promise<string>((resolve, reject) => {
    const child = spawn(script, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (out += chunk));
    child.on('error', (error) => reject(new Error(`could not run ${script}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${script} failed (${signal ?? `exit code ${code}`}); its messages are above`));
    });
  });
}

/** kwok's stage definitions: the binaries folder's copy, else the one shipped in the repository. */
export function kwokStagesFile(binDir: string, repoRoot: string): string {
  const built = join(binDir, 'kwok-stages.yaml');
  return existsSync(built) ? built : join(repoRoot, 'test', 'cluster', 'support', 'kwok-stages.yaml');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
