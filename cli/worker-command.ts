/** `rosterhub worker`: runs the CSV import worker (configured by environment variables). */
export async function runWorkerCommand(): Promise<void> {
  const { runWorker } = await import('../api/worker/main.js');
  await runWorker();
}
