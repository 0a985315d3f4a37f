import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { formatHostPort, LIMITS } from '../../shared/primitives';
import type { EngineHost } from '../../engine';
import { ConnectionGuard, type ConnectionLimits } from './connection-guard';
import { contentSecurityPolicy } from './csp';
import { guardRequest, guardUpgrade, refuseUpgrade } from './handler-guards';
import { parseRequestTarget } from './request-target';
import { serveStatic } from './static-files';
import { allowedHosts, APP_PROTOCOL, checkUpgrade } from './upgrade-gate';
import { runWsSession } from './ws-session';

export interface WebServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export interface WebServerLimits extends ConnectionLimits {
  /** Time a client has to send a whole request (headers included); then 408 and the socket closes. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** Headers beyond this count are ignored (each header line is still held to Node's 16 KiB total). */
  maxHeadersCount: number;
  /** A WebSocket session with more unsent bytes than this is not reading: it is terminated. */
  maxSessionBufferedBytes: number;
}

/**
 * Far below any usual descriptor limit (1024 soft at the least): a flood of connections costs at
 * most maxPendingConnections + maxSessions descriptors, and the engine's own sockets, files and
 * `ss` runs keep the rest. Node cannot read RLIMIT_NOFILE, so the numbers are fixed.
 */
export const DEFAULT_WEB_SERVER_LIMITS: WebServerLimits = {
  maxPendingConnections: 256,
  maxSessions: 32,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 2_000,
  maxHeadersCount: 64,
  maxSessionBufferedBytes: 64 * 1024 * 1024,
};

const NOT_FOUND = { ok: false, status: 403, reason: 'not found' } as const;

/** HTTP for the built UI + a token-gated WebSocket for the contract, on `host:port`. */
export async function startWebServer(opts: {
  host: string;
  port: number;
  rendererDir: string;
  engineHost: EngineHost;
  /** Defaults: DEFAULT_WEB_SERVER_LIMITS (tests shorten the timeouts). */
  limits?: Partial<WebServerLimits>;
  /** Where refusals and failures are reported; default stderr. */
  log?: (line: string) => void;
}): Promise<WebServer> {
  const limits: WebServerLimits = { ...DEFAULT_WEB_SERVER_LIMITS, ...opts.limits };
  const log = opts.log ?? ((line: string) => console.error(line));
  const token = randomBytes(24).toString('hex');
  const server: Server = createServer({
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks those timeouts every 30 s by default; a flood must be cut much sooner.
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(limits.requestTimeoutMs / 2)),
  });
  server.maxHeadersCount = limits.maxHeadersCount;
  const guard = new ConnectionGuard(server, limits, log);
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
  server.on('request', guardRequest(serveStatic(opts.rendererDir, contentSecurityPolicy(wsUrls)), log));
  server.on('error', (err) => log(`sockscope web server: ${err.message}`));

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Math.ceil((LIMITS.messageBytes * 4) / 3) + 64 * 1024,
    handleProtocols: (protocols) => (protocols.has(APP_PROTOCOL) ? APP_PROTOCOL : false),
  });
  server.on(
    'upgrade',
    guardUpgrade((req, socket, head) => {
      const verdict = parseRequestTarget(req.url)?.path === '/ws' ? checkUpgrade(req, token, hosts) : NOT_FOUND;
      if (!verdict.ok) {
        refuseUpgrade(socket, verdict.status);
        return;
      }
      if (!guard.claimSession(req.socket)) {
        refuseUpgrade(socket, 503);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) =>
        runWsSession(ws, opts.engineHost, { maxBufferedBytes: limits.maxSessionBufferedBytes, log }),
      );
    }, log),
  );

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
