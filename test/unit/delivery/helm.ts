import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '../../../cdk8s/index.js';

/** The repository root, as a path. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The operator chart's folder, as a path. */
export const chartPath = `${repoRoot}charts/rosterhub-operator`;

let helmBinary: string | undefined;

/** helm v4 from scripts/k8s-tools.sh (cached; `make test` fetches it first). */
export function helm(): string {
  helmBinary ??= `${
    execFileSync(`${repoRoot}scripts/k8s-tools.sh`, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .at(-1) ?? ''
  }/helm`;
  return helmBinary;
}

/** Runs helm; returns exit status and output. */
export function runHelm(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(helm(), args, { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of the chart with a values file (and extra flags), parsed into objects. */
export function renderChart(valuesFile: string, extra: string[] = []): KubernetesObject[] {
  const result = runHelm([
    'template',
    'rh',
    chartPath,
    '--namespace',
    'rosterhub-system',
    '-f',
    valuesFile,
    ...extra,
  ]);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => object !== null);
}
