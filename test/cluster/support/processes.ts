import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// The watchdog is the leader of a new process group and the component's parent. It stops the
// component (SIGTERM, then SIGKILL after the grace period) when it gets SIGTERM/SIGINT/SIGHUP,
// or, when tied to its owner, as soon as its stdin reaches end-of-file: the owner holds the
// pipe's only write end, so the kernel closes it however the owner ends (even SIGKILL). Then
// every component is stopped at once, not in order, so the grace period is short (2 s).
const WATCHDOG = String.raw`
grace_tenths=$(( $1 * 10 )); tied=$2; shift 2
exec 3<&0 </dev/null
"$@" 3<&- &
child=$!
stop() {
  trap '' TERM INT HUP
  kill -TERM "$child" 2>/dev/null
  for ((i = 0; i < grace_tenths; i++)); do
    kill -0 "$child" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$child" 2>/dev/null
  wait "$child"
  exit
}
trap stop TERM INT HUP
if [[ $tied == 1 ]]; then
  read -r -u 3 _ &
  reader=$!
  wait -n "$child" "$reader"
  if kill -0 "$child" 2>/dev/null; then
    echo "[watchdog] the process that started this component is gone; stopping it" >&2
    grace_tenths=$(( grace_tenths < 20 ? grace_tenths : 20 ))
    stop
  fi
  kill "$reader" 2>/dev/null
fi
wait "$child"
`;

/** How to run one control-plane component. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** File that receives the component's stdout and stderr. */
  logFile: string;
  /** Seconds between SIGTERM and SIGKILL when the watchdog stops the component. */
  graceSeconds: number;
  /** Stop the component when this Node.js process ends, however it ends. */
  tiedToThisProcess: boolean;
}

/** A component running under its watchdog, in its own process group (pgid = pid). */
export class SupervisedProcess {
  readonly spec: ProcessSpec;
  readonly pid: number;
  private exitCode: number | null = null;
  private exitSignal: NodeJS.Signals | null = null;
  private exited = false;

  private constructor(spec: ProcessSpec, pid: number) {
    this.spec = spec;
    this.pid = pid;
  }

  /** Spawns the watchdog and the component; the returned handle does not keep Node.js alive. */
  static start(spec: ProcessSpec): SupervisedProcess {
    const log = openSync(spec.logFile, 'a');
    try {
      const child = spawn(
        'bash',
        [
          '-c',
          WATCHDOG,
          `watchdog-${spec.name}`,
          String(spec.graceSeconds),
          spec.tiedToThisProcess ? '1' : '0',
        ].concat(spec.command, spec.args),
        { cwd: spec.cwd, detached: true, stdio: [spec.tiedToThisProcess ? 'pipe' : 'ignore', log, log] },
      );
      if (child.pid === undefined) throw new Error(`could not spawn ${spec.name} (${spec.command})`);
      const handle = new SupervisedProcess(spec, child.pid);
      child.on('exit', (code, signal) => {
        handle.exited = true;
        handle.exitCode = code;
        handle.exitSignal = signal;
      });
      child.on('error', () => {
        handle.exited = true;
      });
      if (child.stdin instanceof Socket) child.stdin.unref();
      child.unref();
      return handle;
    } finally {
      closeSync(log);
    }
  }

  /**
   * Whether the watchdog has exited, as this process saw it (its `exit` event). The watchdog
   * leads the group and exits only after its component, so this also says the component ended;
   * no need to scan /proc for the group on every poll.
   */
  get hasExited(): boolean {
    return this.exited;
  }

  /** A one-line account of how the component ended. */
  describeExit(): string {
    if (this.exitSignal) return `${this.spec.name} was killed by ${this.exitSignal}`;
    if (this.exitCode !== null) return `${this.spec.name} exited with code ${this.exitCode}`;
    return `${this.spec.name} is not running`;
  }
}

/** True while a live (non-zombie) process of the group `pgid` exists. */
export function isProcessGroupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalGroup(pgid, 0);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // it ended meanwhile
    }
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (pgrp === String(pgid) && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

/** True while process `pid` exists and is not a zombie. */
export function isProcessAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

/** SIGTERM to the whole group, then SIGKILL once `graceMs` has passed; resolves when it is gone. */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (isProcessGroupAlive(pgid)) {
    if (Date.now() >= deadline) {
      signalGroup(pgid, 'SIGKILL');
      while (isProcessGroupAlive(pgid)) await sleep(50);
      return;
    }
    await sleep(50);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file ('' when it cannot be read). */
export function tailFile(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
