/**
 * The WebSocket port of the UI session (engine/ui-session): JSON text frames both ways. What is
 * WebSocket-specific lives here: the work a frame may cost before it is decoded, and the unsent
 * bytes a session may pile up.
 */
import type { WebSocket } from 'ws';
import type { ServerMessage } from '../../shared/session-protocol';
import type { EngineHost } from '../../engine';
import { MAX_PAYLOAD_FIELDS } from '../../engine/dispatcher';
import { runUiSession, type EnginePort } from '../../engine/ui-session/ui-session';
import { tooManyJsonFields } from './json-budget';

/** Above this many unsent bytes a client counts as slow: its batcher holds back (and coalesces). */
const CONGESTED_BYTES = 4 * 1024 * 1024;

export interface SessionOptions {
  /**
   * Unsent bytes beyond which the client is not reading at all: batches already wait above
   * CONGESTED_BYTES, but command results (snapshots, traffic pages) cannot wait, so the session ends.
   */
  maxBufferedBytes: number;
  log: (line: string) => void;
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** One browser tab (or any WebSocket client of the protocol) until the socket closes. */
export function runWsSession(ws: WebSocket, host: EngineHost, opts: SessionOptions): void {
  runUiSession(wsPort(ws, opts), host);
}

function wsPort(ws: WebSocket, opts: SessionOptions): EnginePort {
  // Judged before queueing, so one large result to a reading client is never the last straw:
  // the host holds at most maxBufferedBytes plus one message per session.
  const send = (message: ServerMessage): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > opts.maxBufferedBytes) {
      opts.log(`sockscope web: closed a WebSocket session that does not read: ${mib(ws.bufferedAmount)} unsent, over the ${mib(opts.maxBufferedBytes)} limit`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  };
  return {
    send,
    congested: () => ws.bufferedAmount > CONGESTED_BYTES,
    onMessage(listener) {
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        // Bounded before JSON.parse runs: see json-budget.ts.
        if (tooManyJsonFields(text)) return send({ type: 'error', message: `refused unread: more than ${MAX_PAYLOAD_FIELDS} fields` });
        let msg: unknown;
        try {
          msg = JSON.parse(text);
        } catch {
          return send({ type: 'error', message: 'not JSON' });
        }
        listener(msg);
      });
    },
    onClose(listener) {
      let closed = false;
      const once = () => {
        if (closed) return;
        closed = true;
        listener();
      };
      ws.on('close', once);
      ws.on('error', () => {
        once();
        ws.terminate();
      });
    },
    close: () => ws.terminate(),
  };
}
