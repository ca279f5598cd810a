// Jest globalTeardown of the cluster project; runs in the process that ran globalSetup.
// (No relative imports: see global-setup.ts.)

/** Stops the run's control plane and removes its temporary folder. */
export default async function clusterGlobalTeardown(): Promise<void> {
  const holder = globalThis as { __rosterhubTestControlPlane?: { stop(): Promise<void> } };
  await holder.__rosterhubTestControlPlane?.stop();
  delete holder.__rosterhubTestControlPlane;
}
