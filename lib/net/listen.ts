import { once } from 'node:events';
import type { Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Every address, IPv6 and IPv4 (a dual-stack socket): the default bind address of servers. */
export const ANY_ADDRESS = '::';

/**
 * Listens on `host`:`port` and resolves with the bound address. `::` accepts IPv6 and IPv4 (an
 * IPv6-only EKS cluster, and every dual-stack one); on a host without IPv6 it falls back to
 * `0.0.0.0`.
 */
export async function listenOn(
  server: Server,
  port: number,
  host: string = ANY_ADDRESS,
): Promise<AddressInfo> {
  try {
    server.listen({ port, host, ipv6Only: false });
    await once(server, 'listening');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (host !== ANY_ADDRESS || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw error;
    server.listen({ port, host: '0.0.0.0' });
    await once(server, 'listening');
  }
  return server.address() as AddressInfo;
}
