// Jest globalSetup of the cluster project. Jest loads this file with Node's own module loader,
// which strips the types but cannot resolve `./x.js` to `./x.ts`; so the harness is imported
// dynamically, after typescript-imports.ts has added that mapping.

/** Property of globalThis through which globalTeardown (same process) finds the control plane. */
export const CONTROL_PLANE_GLOBAL = '__rosterhubTestControlPlane';

/** Starts one control plane for the jest run and exports its admin kubeconfig as KUBECONFIG, and the real node's images as RH_*, to the workers. */
export default async function clusterGlobalSetup(
  _globalConfig: unknown,
  projectConfig: { rootDir: string },
): Promise<void> {
  await import(new URL('./typescript-imports.ts', import.meta.url).href);
  const { findRepoRoot } = await import('./testbin.js');
  const { startTestControlPlane } = await import('./test-control-plane.js');
  const controlPlane = await startTestControlPlane(findRepoRoot(projectConfig.rootDir), (line) =>
    process.stderr.write(`[cluster] ${line}\n`),
  );
  Object.assign(globalThis, { [CONTROL_PLANE_GLOBAL]: controlPlane });
  process.env.KUBECONFIG = controlPlane.state.kubeconfig;
  Object.assign(process.env, controlPlane.images);
}
