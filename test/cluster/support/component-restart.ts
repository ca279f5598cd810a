import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readControlPlaneState, type ComponentRecord } from './control-plane.js';
import { SupervisedProcess, stopProcessGroup } from './processes.js';

/**
 * Stops one component of a running control plane (SIGTERM to its group, SIGKILL after its
 * grace period) and returns a function that starts it again with the same command line, log
 * file and ports, recording the new pid in `<dir>/state.json` (which teardown reads). The
 * restarted component is tied to the calling process when the control plane is tied to one.
 */
export async function stopComponent(dir: string, name: string): Promise<() => ComponentRecord> {
  const state = readControlPlaneState(dir);
  const record = state?.components.find((component) => component.name === name);
  if (!state || !record) throw new Error(`no component ${name} in ${join(dir, 'state.json')}`);
  if (!record.command || !record.args) throw new Error(`state.json has no command line for ${name}`);
  const { command, args } = record;
  await stopProcessGroup(record.pid, record.graceSeconds * 1000 + 2000);
  return () => {
    const handle = SupervisedProcess.start({
      name,
      command,
      args,
      cwd: dir,
      logFile: record.logFile,
      graceSeconds: record.graceSeconds,
      tiedToThisProcess: state.ownerPid !== null,
    });
    const fresh = readControlPlaneState(dir) ?? state;
    const restarted = { ...record, pid: handle.pid };
    fresh.components = fresh.components.map((component) => (component.name === name ? restarted : component));
    writeFileSync(join(dir, 'state.json'), `${JSON.stringify(fresh, null, 2)}\n`);
    return restarted;
  };
}
