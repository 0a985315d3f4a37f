import type { WebSocket } from 'ws';
import type { CommandResult } from '../../shared/contract';
import type { EngineHost } from '../../engine';
import { MAX_PAYLOAD_FIELDS } from '../../engine/dispatcher';
import { tooManyJsonFields } from './json-budget';

/** Above this many unsent bytes a client counts as slow: its batcher holds back (and coalesces). */
const CONGESTED_BYTES = 4 * 1024 * 1024;

export type ClientMessage = { type: 'invoke'; id: number; command: unknown; payload: unknown };

export interface SessionOptions {
  /**
   * Unsent bytes beyond which the client is not reading at all: batches already wait above
   * CONGESTED_BYTES, but command results (snapshots, traffic pages) cannot wait, so the session ends.
   */
  maxBufferedBytes: number;
  log: (line: string) => void;
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** One browser tab: commands in, results and event batches out, over the same contract as IPC. */
export function runWsSession(ws: WebSocket, { engine, dispatch }: EngineHost, opts: SessionOptions): void {
  // Judged before queueing, so one large result to a reading client is never the last straw:
  // the host holds at most maxBufferedBytes plus one message per session.
  const send = (message: object): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > opts.maxBufferedBytes) {
      opts.log(`sockscope web: closed a WebSocket session that does not read: ${mib(ws.bufferedAmount)} unsent, over the ${mib(opts.maxBufferedBytes)} limit`);
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
  };
  const detach = engine.attachClient({
    send: (batch) => send({ type: 'batch', batch }),
    congested: () => ws.bufferedAmount > CONGESTED_BYTES,
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    const text = data.toString();
    if (tooManyJsonFields(text)) {
      send({ type: 'error', message: `refused unread: more than ${MAX_PAYLOAD_FIELDS} fields` });
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      send({ type: 'error', message: 'not JSON' });
      return;
    }
    if (!msg || typeof msg !== 'object' || (msg as ClientMessage).type !== 'invoke' || typeof (msg as ClientMessage).id !== 'number') {
      send({ type: 'error', message: 'expected {type:"invoke", id, command, payload}' });
      return;
    }
    const { id, command, payload } = msg as ClientMessage;
    // The dispatcher always resolves with an envelope; the catch only guards against a future
    // regression turning into an unhandled rejection that would end the browser-mode host.
    void dispatch(command, payload)
      .catch((): CommandResult => ({ ok: false, error: { code: 'INTERNAL', message: 'unexpected failure' } }))
      .then((result) => send({ type: 'result', id, result }));
  });
  ws.on('close', detach);
  ws.on('error', () => {
    detach();
    ws.terminate();
  });
}
