import type { WebSocket } from 'ws';
import type { CommandResult } from '../../shared/contract';
import type { EngineHost } from '../engine';

/** Above this many unsent bytes a client counts as slow: its batcher holds back (and coalesces). */
const CONGESTED_BYTES = 4 * 1024 * 1024;

export type ClientMessage = { type: 'invoke'; id: number; command: unknown; payload: unknown };

/** One browser tab: commands in, results and event batches out, over the same contract as IPC. */
export function runWsSession(ws: WebSocket, { engine, dispatch }: EngineHost): void {
  const detach = engine.attachClient({
    send: (batch) => ws.send(JSON.stringify({ type: 'batch', batch })),
    congested: () => ws.bufferedAmount > CONGESTED_BYTES,
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
    let msg: unknown;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      ws.send(JSON.stringify({ type: 'error', message: 'not JSON' }));
      return;
    }
    if (!msg || typeof msg !== 'object' || (msg as ClientMessage).type !== 'invoke' || typeof (msg as ClientMessage).id !== 'number') {
      ws.send(JSON.stringify({ type: 'error', message: 'expected {type:"invoke", id, command, payload}' }));
      return;
    }
    const { id, command, payload } = msg as ClientMessage;
    // The dispatcher always resolves with an envelope; the catch only guards against a future
    // regression turning into an unhandled rejection that would end the browser-mode host.
    void dispatch(command, payload)
      .catch((): CommandResult => ({ ok: false, error: { code: 'INTERNAL', message: 'unexpected failure' } }))
      .then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'result', id, result }));
      });
  });
  ws.on('close', detach);
  ws.on('error', () => {
    detach();
    ws.terminate();
  });
}
