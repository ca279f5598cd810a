import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { percentile, round } from './lib/result.js';

/** What one load run measured. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Response body bytes of the last request. */
  bytes: number;
}

/** One GET on a keep-alive agent; resolves with status, body length and headers. */
export function httpGet(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          headers: res.headers,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * One GET whose body is counted and dropped: the load generator should not spend the CPU it
 * shares with the servers under test on decoding bodies nobody reads.
 */
function drainGet(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A closed-loop load generator: `connections` workers on keep-alive sockets, each sending the
 * next request when the previous one is answered, for `seconds` (after `warmupSeconds`).
 */
export async function load(
  url: URL,
  options: { connections: number; seconds: number; warmupSeconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const headers = options.headers ?? {};
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  const warmupEnd = performance.now() + options.warmupSeconds * 1000;
  const end = warmupEnd + options.seconds * 1000;
  const worker = async (): Promise<void> => {
    for (;;) {
      const started = performance.now();
      if (started >= end) return;
      try {
        const answer = await drainGet(agent, url, headers);
        if (answer.status !== 200) errors += 1;
        bytes = answer.bytes;
      } catch {
        errors += 1;
      }
      const finished = performance.now();
      if (started >= warmupEnd && finished <= end) latencies.push(finished - started);
    }
  };
  await Promise.all(Array.from({ length: options.connections }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: options.seconds,
    rps: round(latencies.length / options.seconds, 1),
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
    bytes,
  };
}

/** Sequential requests: the latency of each, in ms. */
export async function sequential(
  url: URL,
  count: number,
  headers: Record<string, string>,
): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    const answer = await httpGet(agent, url, headers);
    if (answer.status !== 200)
      throw new Error(`GET ${url.pathname}${url.search}: ${answer.status} ${answer.body.slice(0, 200)}`);
    latencies.push(performance.now() - started);
  }
  agent.destroy();
  return latencies;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A child Node process that is up once `GET ready` answers 200. `stop()` ends it (SIGTERM, then waits). */
export async function startProcess(
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: URL,
): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const agent = new Agent({ keepAlive: false });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    try {
      if ((await httpGet(agent, ready, {})).status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
