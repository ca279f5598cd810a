import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { listenOn } from '../lib/net/listen.js';

/** Starts listening and resolves with the bound address (port 0 picks a free port). */
export async function listen(
  app: Express,
  port: number,
  host: string,
): Promise<{ server: Server; address: AddressInfo }> {
  const server = createServer(app);
  // Above typical load-balancer idle timeouts (60 s), so the LB closes idle connections first.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return { server, address: await listenOn(server, port, host) };
}

/**
 * Stops accepting connections and resolves when in-flight requests are done, or after
 * `timeoutMs`, when the remaining connections are cut. Resolves `true` if everything finished.
 */
export async function closeGracefully(server: Server, timeoutMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections that finish their request after close() began turn idle later;
  // close them as they do, or close() waits for their keep-alive timeout.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const result = await Promise.race([closed.then(() => true as const), timedOut]);
  clearTimeout(timer);
  clearInterval(sweeper);
  if (!result) server.closeAllConnections();
  return result;
}
