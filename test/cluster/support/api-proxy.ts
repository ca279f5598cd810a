// A TCP proxy in front of the API server that a test can make slow or silent, for the code
// behind it only: TLS passes through untouched (client certificates and tokens still work).
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * `pass`: bytes flow both ways. `slowAnswers`: the API server's bytes reach the client `delayMs`
 * late (a request lands at once, its answer comes late). `stall`: nothing flows either way
 * until the mode changes; connections stay open, as with a hung server or a lost route.
 * `refuse`: connections are reset, as by a crashing API server or a load balancer without one.
 */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'slowAnswers'; delayMs: number }
  | { kind: 'stall' }
  /** Every connection is reset, and new ones are closed at once (a failing API server). */
  | { kind: 'refuse' };

interface Pipe {
  client: Socket;
  server: Socket;
  /** Bytes held back while stalled, per direction, in order. */
  held: { toServer: Buffer[]; toClient: Buffer[] };
  /** When the last chunk to the client is due (performance.now()): later chunks never overtake it. */
  lastDue: number;
}

export class ApiProxy {
  #mode: ProxyMode = { kind: 'pass' };
  readonly #pipes = new Set<Pipe>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 (a free port) and forwards to `target` (`https://host:port`). */
  static async start(target: string): Promise<ApiProxy> {
    const { hostname, port } = new URL(target);
    const accepting: { proxy?: ApiProxy } = {};
    const server = createServer((client) => accepting.proxy?.accept(client, hostname, Number(port)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port: local } = server.address() as AddressInfo;
    accepting.proxy = new ApiProxy(server, `https://127.0.0.1:${local}`);
    return accepting.proxy;
  }

  set mode(mode: ProxyMode) {
    this.#mode = mode;
    if (mode.kind === 'refuse') this.resetConnections();
    if (mode.kind === 'stall' || mode.kind === 'refuse') return;
    for (const pipe of this.#pipes) {
      for (const chunk of pipe.held.toServer.splice(0)) pipe.server.write(chunk);
      for (const chunk of pipe.held.toClient.splice(0)) this.#toClient(pipe, chunk);
    }
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Ends every connection at once (a restarted API server, a reset). */
  resetConnections(): void {
    for (const pipe of this.#pipes) {
      pipe.client.destroy();
      pipe.server.destroy();
    }
  }

  async close(): Promise<void> {
    this.resetConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  accept(client: Socket, host: string, port: number): void {
    if (this.#mode.kind === 'refuse') {
      client.destroy();
      return;
    }
    const server = createConnection({ host, port });
    const pipe: Pipe = { client, server, held: { toServer: [], toClient: [] }, lastDue: 0 };
    this.#pipes.add(pipe);
    const end = () => {
      this.#pipes.delete(pipe);
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      if (this.#mode.kind === 'stall') pipe.held.toServer.push(chunk);
      else server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => {
      if (this.#mode.kind === 'stall') pipe.held.toClient.push(chunk);
      else this.#toClient(pipe, chunk);
    });
  }

  #toClient(pipe: Pipe, chunk: Buffer): void {
    const mode = this.#mode;
    const now = performance.now();
    const due = Math.max(now + (mode.kind === 'slowAnswers' ? mode.delayMs : 0), pipe.lastDue);
    pipe.lastDue = due;
    if (due <= now) pipe.client.write(chunk);
    else setTimeout(() => pipe.client.write(chunk), due - now).unref();
  }
}
