import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { targetForLog } from './request-target';

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Answers an upgrade request that will not become a WebSocket, then closes only that socket. */
export function refuseUpgrade(socket: Duplex, status: 401 | 403 | 500 | 503): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // Destroy once flushed: end() alone would leave the socket half-open for as long as the peer likes.
  socket.end(`HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

const failure = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * A handler that throws must cost one request, not the host: an exception out of an 'request' or
 * 'upgrade' listener is an uncaught exception that ends the process. The failure is logged (the
 * target with its token redacted) and answered with a 500 where that is still possible.
 */
export function guardRequest(handle: (req: IncomingMessage, res: ServerResponse) => void, log: (line: string) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    try {
      handle(req, res);
    } catch (err) {
      log(`sockscope web: ${targetForLog(req.method)} ${targetForLog(req.url)} failed: ${failure(err)}`);
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { Connection: 'close' }).end();
    }
  };
}

export function guardUpgrade(handle: (req: IncomingMessage, socket: Duplex, head: Buffer) => void, log: (line: string) => void) {
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node leaves an upgraded socket's errors to us: unhandled, a peer's reset would end the host.
    socket.on('error', () => socket.destroy());
    try {
      handle(req, socket, head);
    } catch (err) {
      log(`sockscope web: upgrade ${targetForLog(req.method)} ${targetForLog(req.url)} failed: ${failure(err)}`);
      refuseUpgrade(socket, 500);
    }
  };
}
