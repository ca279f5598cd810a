import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/** kubectl answered with a non-zero exit; `stderr` is what it said. */
export class KubectlError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
  ) {
    super(`kubectl ${args.join(' ')}: ${stderr.trim() || 'failed'}`);
    this.name = 'KubectlError';
  }
}

/** A local port forwarded to a Service until `close()`. */
export interface PortForward {
  readonly localPort: number;
  close(): void;
}

/**
 * The kubectl that runs the plugin (KUBECTL, else `kubectl` on PATH), with the user's global
 * flags (--context, --kubeconfig, -n) in front of every call: the plugin sees what kubectl
 * sees, RBAC included, and needs no client configuration of its own.
 */
export class Kubectl {
  readonly #binary = process.env.KUBECTL ?? 'kubectl';

  constructor(
    private readonly globalArgs: string[],
    /** The namespace the user named, if any (else kubectl's current one). */
    readonly namespace: string | undefined,
  ) {}

  #args(args: string[]): string[] {
    return [...this.globalArgs, ...(this.namespace ? ['-n', this.namespace] : []), ...args];
  }

  /** Runs kubectl and returns its stdout; throws KubectlError on a non-zero exit. */
  run(args: string[], input?: string): string {
    const full = this.#args(args);
    const result = spawnSync(this.#binary, full, {
      encoding: 'utf8',
      input,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (result.error) throw new KubectlError(full, result.error.message);
    if (result.status !== 0) throw new KubectlError(full, result.stderr);
    return result.stdout;
  }

  /** `kubectl get … -o json`, parsed. */
  json(args: string[]): unknown {
    return JSON.parse(this.run([...args, '-o', 'json']));
  }

  /** Runs kubectl with the terminal attached (logs -f, exec -it); resolves to its exit code. */
  attached(args: string[]): Promise<number> {
    const child = spawn(this.#binary, this.#args(args), { stdio: 'inherit' });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  }

  /** `kubectl port-forward TARGET :REMOTE` on loopback; resolves once kubectl says which port. */
  portForward(target: string, remotePort: number): Promise<PortForward> {
    const full = this.#args(['port-forward', '--address', '127.0.0.1', target, `:${remotePort}`]);
    const child = spawn(this.#binary, full, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(line);
        if (match)
          resolve({
            localPort: Number(match[1]),
            close: () => {
              child.kill();
            },
          });
      });
      child.on('error', reject);
      child.on('exit', () => reject(new KubectlError(full, stderr)));
    });
  }
}
