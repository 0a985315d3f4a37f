/**
 * One UI session (a window, a browser tab, a CLI, a test), the same over every transport: the
 * engine half of shared/session-protocol.ts over a narrow port. What differs per transport — how
 * bytes are framed, decoded and bounded, who may send — is the port adapter's business
 * (hosts/web/ws-session.ts, hosts/electron/ipc-sessions.ts, ./in-process-port.ts).
 */
import type { AppInfo, CommandResult, EngineSnapshot, EventBatch } from '../../shared/contract';
import { ClientMessage, SESSION_PROTOCOL, type ServerMessage, type SessionPort } from '../../shared/session-protocol';
import type { EngineHost } from '../index';
import { guarded, logInternalError } from '../fault-barrier';
import type { AttachedClient } from '../ui-client';

export interface EnginePort extends SessionPort<unknown, ServerMessage> {
  /** True while the transport holds too much unsent data: batches wait (and coalesce) meanwhile. */
  congested?(): boolean;
}

const ENVELOPE_HELP = `expected {type:"invoke", id, command, payload} or {type:"hello", protocol:${SESSION_PROTOCOL}}`;
const UNEXPECTED: CommandResult = { ok: false, error: { code: 'INTERNAL', message: 'unexpected failure' } };

/** Runs the session until the port closes (from either side). */
export function runUiSession(port: EnginePort, { engine, dispatch }: EngineHost): void {
  let open = true;
  /** Also the session's `UiClient`: commands it sends may narrow its batches (`ui:watch`). */
  let detach: AttachedClient | null = null;
  /** Which hello is being answered: a later one replaces an earlier one's snapshot. */
  let hello = 0;

  // The dispatcher always resolves with an envelope; the catch only keeps a future regression from
  // becoming an unhandled rejection that would end the host.
  const run = (command: unknown, payload: unknown): Promise<CommandResult> => dispatch(command, payload, detach ?? undefined).catch(() => UNEXPECTED);
  const send = (message: ServerMessage): void => {
    if (open) port.send(message);
  };

  const attach = (timelineAppends: boolean): void => {
    const mine = ++hello;
    // Subscribed before the snapshot is taken, so no change can fall between the two. The batcher
    // holds every batch until the snapshot went out (changes are built when flushed, so none is
    // older than the snapshot), then sends the recent traffic the snapshot leaves out.
    detach ??= engine.attachClient({
      send: (batch: EventBatch) => send({ type: 'batch', batch }),
      ...(port.congested ? { congested: port.congested } : {}),
    });
    detach.restart({ timelineAppends });
    const client = detach;
    // Through the dispatcher, so the first snapshot waits for the saved session to be open again.
    void Promise.all([run('app:info', {}), run('app:snapshot', {})]).then(([info, snapshot]) => {
      if (mine !== hello) return;
      if (!info.ok) return send({ type: 'error', message: `could not read the app's info: ${info.error.message}` });
      if (!snapshot.ok) return send({ type: 'error', message: `could not take the snapshot: ${snapshot.error.message}` });
      // The handlers' own return types: the dispatcher's envelope erases them.
      send({ type: 'attached', protocol: SESSION_PROTOCOL, info: info.value as AppInfo, snapshot: snapshot.value as EngineSnapshot });
      client.synced();
    });
  };

  port.onMessage(
    guarded(logInternalError, 'a UI session', (raw: unknown) => {
      if (!open) return;
      const parsed = ClientMessage.safeParse(raw);
      if (!parsed.success) {
        send({ type: 'error', message: ENVELOPE_HELP });
        return;
      }
      const msg = parsed.data;
      if (msg.type === 'hello') attach(msg.timelineAppends === true);
      else void run(msg.command, msg.payload).then((result) => send({ type: 'result', id: msg.id, result }));
    }),
  );
  port.onClose(() => {
    open = false;
    detach?.();
    detach = null;
  });
}
