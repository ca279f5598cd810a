import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Runs a host command; resolves with its stdout, rejects naming the command and its stderr. */
export async function host(command: string, ...args: string[]): Promise<string> {
  try {
    return (await exec(command, args, { maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr || (error as Error).message}`, {
      cause: error,
    });
  }
}

/** Like host(), for clean-up steps: a failure is reported, not thrown. */
export async function tryHost(report: (line: string) => void, command: string, ...args: string[]) {
  try {
    await host(command, ...args);
  } catch (error) {
    report((error as Error).message);
  }
}

/** Sysctls that the kubelet, kube-proxy, the bridge plugin or the harness change. */
export const TOUCHED_SYSCTLS = [
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
  'vm/overcommit_memory',
  'net/ipv4/ip_forward',
  'net/ipv4/conf/all/route_localnet',
  'net/bridge/bridge-nf-call-iptables',
  'net/bridge/bridge-nf-call-ip6tables',
  'net/ipv6/conf/all/forwarding',
];

/**
 * Host paths some component creates whatever root folder it is given. Only those that did not
 * exist before the node started are removed.
 */
export const STRAY_HOST_PATHS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  '/var/lib/cni',
  '/run/containerd',
  '/etc/cni',
  '/opt/cni',
];

/** What the host looked like before the real node changed it: teardown puts it back. */
export interface HostSnapshot {
  iptables: string;
  ip6tables: string;
  nftTables: string[];
  ipsets: string[];
  sysctls: Record<string, string>;
  netns: string[];
  absentPaths: string[];
}

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

async function nftTables(): Promise<string[]> {
  return lines(await host('nft', 'list', 'tables'));
}

async function ipsets(): Promise<string[]> {
  return lines(await host('ipset', 'list', '-n'));
}

function netns(): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns') : [];
}

/** Records the host state the real node will change. */
export async function snapshotHost(): Promise<HostSnapshot> {
  const sysctls: Record<string, string> = {};
  for (const key of TOUCHED_SYSCTLS) {
    const file = join('/proc/sys', key);
    if (existsSync(file)) sysctls[key] = readFileSync(file, 'utf8').trim();
  }
  return {
    iptables: await host('iptables-save'),
    ip6tables: await host('ip6tables-save'),
    nftTables: await nftTables(),
    ipsets: await ipsets(),
    sysctls,
    netns: netns(),
    absentPaths: STRAY_HOST_PATHS.filter((path) => !existsSync(path)),
  };
}

/** The tables an `iptables-save` dump holds (`*filter`, `*nat`, …). */
const savedTables = (dump: string): string[] =>
  lines(dump)
    .filter((line) => line.startsWith('*'))
    .map((line) => line.slice(1));

async function restoreIptables(
  save: 'iptables-save' | 'ip6tables-save',
  restore: 'iptables-restore' | 'ip6tables-restore',
  command: 'iptables' | 'ip6tables',
  dump: string,
  report: (line: string) => void,
): Promise<void> {
  const before = new Set(savedTables(dump));
  for (const table of savedTables(await host(save))) {
    if (before.has(table)) continue;
    await tryHost(report, command, '-t', table, '-F');
    await tryHost(report, command, '-t', table, '-X');
  }
  const file = join('/run', `rosterhub-${save}.rules`);
  writeFileSync(file, dump);
  try {
    await tryHost(report, restore, file);
  } finally {
    rmSync(file, { force: true });
  }
}

/** Puts the host back as the snapshot found it; every failure is reported and the rest still runs. */
export async function restoreHost(snapshot: HostSnapshot, report: (line: string) => void): Promise<void> {
  await restoreIptables('iptables-save', 'iptables-restore', 'iptables', snapshot.iptables, report);
  await restoreIptables('ip6tables-save', 'ip6tables-restore', 'ip6tables', snapshot.ip6tables, report);
  for (const set of (await ipsets().catch(() => [])).filter((name) => !snapshot.ipsets.includes(name)))
    await tryHost(report, 'ipset', 'destroy', set);
  for (const table of (await nftTables().catch(() => [])).filter((t) => !snapshot.nftTables.includes(t)))
    await tryHost(report, 'nft', 'delete', ...table.split(' '));
  for (const name of netns().filter((entry) => !snapshot.netns.includes(entry)))
    await tryHost(report, 'ip', 'netns', 'delete', name);
  for (const [key, value] of Object.entries(snapshot.sysctls)) {
    try {
      writeFileSync(join('/proc/sys', key), value);
    } catch (error) {
      report(`cannot restore sysctl ${key}=${value}: ${(error as Error).message}`);
    }
  }
  for (const path of snapshot.absentPaths) rmSync(path, { recursive: true, force: true });
}

/** Mount points at or below `prefix`, deepest first. */
export function mountsBelow(prefix: string): string[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((path) => path.replace(/\\040/g, ' '))
    .filter((path) => path === prefix || path.startsWith(`${prefix}/`));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `prefix` (lazily: busy mounts go once their users are gone). */
export async function unmountBelow(prefix: string, report: (line: string) => void): Promise<void> {
  for (const mount of mountsBelow(prefix)) await tryHost(report, 'umount', '-l', mount);
}

/** The cgroup v1 (and unified) hierarchies' folders for `cgroup`, deepest first. */
function cgroupDirs(cgroup: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(dir, entry.name));
    found.push(dir);
  };
  if (!existsSync('/sys/fs/cgroup')) return [];
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    const root = join('/sys/fs/cgroup', hierarchy, cgroup);
    if (existsSync(root)) walk(root);
  }
  return found;
}

/** Creates `cgroup` in every hierarchy (the kubelet requires its cgroup root to exist). */
export function createCgroup(cgroup: string): void {
  for (const hierarchy of readdirSync('/sys/fs/cgroup')) {
    const dir = join('/sys/fs/cgroup', hierarchy, cgroup);
    mkdirSync(dir, { recursive: true });
    // a new v1 cpuset has no CPUs and no memory nodes until given its parent's
    for (const file of ['cpuset.cpus', 'cpuset.mems']) {
      const parent = join('/sys/fs/cgroup', hierarchy, file);
      if (existsSync(parent)) writeFileSync(join(dir, file), readFileSync(parent, 'utf8'));
    }
  }
}

/** Kills every process in the cgroup subtree (all hierarchies) and removes its folders. */
export async function removeCgroup(cgroup: string, report: (line: string) => void): Promise<void> {
  const dirs = cgroupDirs(cgroup);
  const members = (): number[] =>
    dirs.flatMap((dir) => {
      try {
        return lines(readFileSync(join(dir, 'cgroup.procs'), 'utf8')).map(Number);
      } catch {
        return [];
      }
    });
  for (let round = 0; round < 50 && members().length > 0; round++) {
    for (const pid of members()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await sleep(100);
  }
  for (const dir of dirs) {
    try {
      rmdirSync(dir); // a cgroup folder goes with rmdir, never by deleting its files
    } catch (error) {
      // runc removes a container's cgroups itself when its process is killed
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      report(`cannot remove cgroup ${dir}: ${(error as Error).message}`);
    }
  }
}
