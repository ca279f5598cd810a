import { createServer } from 'node:http';
import { listenOn } from '../../../lib/net/listen.js';

describe('listenOn', () => {
  it('When a server listens on the default address, then it answers on IPv6 and IPv4 loopback alike', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    const { port } = await listenOn(server, 0);
    try {
      for (const origin of [`http://[::1]:${port}`, `http://127.0.0.1:${port}`]) {
        const response = await fetch(`${origin}/`);
        expect({ origin, body: await response.text() }).toEqual({ origin, body: 'ok' });
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
