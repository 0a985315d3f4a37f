import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { formatHostPort, LIMITS } from '../../shared/primitives';
import type { EngineHost } from '../engine';
import { contentSecurityPolicy } from './csp';
import { serveStatic } from './static-files';
import { allowedHosts, APP_PROTOCOL, checkUpgrade } from './upgrade-gate';
import { runWsSession } from './ws-session';

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** HTTP for the built UI + a token-gated WebSocket for the contract, on `host:port`. */
export async function startWebServer(opts: {
  host: string;
  port: number;
  rendererDir: string;
  engineHost: EngineHost;
}): Promise<WebServer> {
  const token = randomBytes(24).toString('hex');
  const server: Server = createServer();
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${formatHostPort(opts.host, port)}`;
  const hosts = allowedHosts(opts.host, port);
  const wsUrls = [...hosts].map((h) => `ws://${h}`).join(' ');
  server.on('request', serveStatic(opts.rendererDir, contentSecurityPolicy(wsUrls)));
  server.on('error', (err) => console.error('sockscope web server:', err.message));

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.ceil((LIMITS.messageBytes * 4) / 3) + 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(APP_PROTOCOL) ? APP_PROTOCOL : false),
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const verdict = path === '/ws' ? checkUpgrade(req, token, hosts) : ({ ok: false, status: 403, reason: 'not found' } as const);
    if (!verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.status} ${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => runWsSession(ws, opts.engineHost));
  });

  return {
    url: `${origin}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
