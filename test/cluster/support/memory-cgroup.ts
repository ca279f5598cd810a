import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V1_ROOT = '/sys/fs/cgroup/memory';
const V2_ROOT = '/sys/fs/cgroup';

/**
 * A memory cgroup with a limit, as the kubelet gives a container: a process started in it sees
 * the limit as its constrained memory (Node.js sizes its heap from it) and is OOM-killed beyond
 * it. cgroup v1 (`memory` hierarchy) or v2 (unified, memory controller enabled); needs root.
 */
export class MemoryCgroup {
  private constructor(
    readonly path: string,
    private readonly version: 1 | 2,
  ) {}

  /** Creates `name` with `limitBytes`; throws naming what is missing where cgroups cannot be used. */
  static create(name: string, limitBytes: number): MemoryCgroup {
    if (existsSync(join(V1_ROOT, 'memory.limit_in_bytes'))) {
      const group = new MemoryCgroup(join(V1_ROOT, name), 1);
      mkdirSync(group.path, { recursive: true });
      writeFileSync(join(group.path, 'memory.limit_in_bytes'), String(limitBytes));
      return group;
    }
    if (readIfPresent(join(V2_ROOT, 'cgroup.subtree_control'))?.split(/\s+/).includes('memory')) {
      const group = new MemoryCgroup(join(V2_ROOT, name), 2);
      mkdirSync(group.path, { recursive: true });
      writeFileSync(join(group.path, 'memory.max'), String(limitBytes));
      return group;
    }
    throw new Error(
      `no memory cgroup to run under a limit: neither ${V1_ROOT} (cgroup v1) nor a unified hierarchy with the memory controller enabled in ${V2_ROOT}/cgroup.subtree_control`,
    );
  }

  /** Shell words that move the shell into the cgroup, then `exec` the command. */
  execIn(command: readonly string[]): string[] {
    const quoted = command.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
    return ['/bin/sh', '-c', `echo $$ > '${join(this.path, 'cgroup.procs')}' && exec ${quoted}`];
  }

  /** Times the limit was reached and the kernel OOM-killed a process in the group. */
  oomKills(): number {
    const events =
      this.version === 1
        ? readIfPresent(join(this.path, 'memory.oom_control'))
        : readIfPresent(join(this.path, 'memory.events'));
    return Number(/^oom_kill (\d+)$/m.exec(events ?? '')?.[1] ?? 0);
  }

  /** Removes the group once its processes are gone (best effort: a leftover group is harmless). */
  remove(): void {
    try {
      rmdirSync(this.path);
    } catch {
      // still busy, or already gone: the next run reuses or replaces it
    }
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
