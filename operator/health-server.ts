import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ANY_ADDRESS, listenOn } from '../lib/net/listen.js';

export interface HealthProbes {
  /** The process works (its loops run); false makes the kubelet restart it. */
  live: () => boolean;
  /** Caches are synced (or this replica is a standby); false keeps traffic away. */
  ready: () => boolean;
}

/** `/healthz`, `/readyz` and `/metrics` of the operator process; `close()` is idempotent. */
export class HealthServer {
  #server: Server | undefined;
  #closing: Promise<void> | undefined;

  constructor(
    private readonly probes: HealthProbes,
    private readonly registry: Registry,
  ) {}

  async listen(port: number, host = ANY_ADDRESS): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz' || path === '/readyz') {
        const ok = path === '/healthz' ? this.probes.live() : this.probes.ready();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not ok');
        return;
      }
      if (path === '/metrics') {
        this.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': this.registry.contentType }).end(text),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
        return;
      }
      res.writeHead(404).end('not found');
    });
    this.#server = server;
    return listenOn(server, port, host);
  }

  close(): Promise<void> {
    const server = this.#server;
    this.#closing ??= server
      ? new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        })
      : Promise.resolve();
    return this.#closing;
  }
}
