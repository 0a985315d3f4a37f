/**
 * The in-process transport of the session protocol, for the CLI and the tests: the same session
 * module and the same client as the WebSocket and IPC, with no framing in between.
 *
 * Delivery is asynchronous (a microtask), as on every real transport, so neither side ever runs
 * inside the other's send. Messages are handed over as they are, not copied: both sides are our
 * own code, and each message is built fresh by its sender.
 */
import type { ClientMessage, ServerMessage, SessionPort } from '../../shared/session-protocol';
import { createSessionClient, type ClientPort, type SessionClient } from '../../shared/session-client';
import type { EngineHost } from '../index';
import { runUiSession, type EnginePort } from './ui-session';

/** Two connected ends: what one side sends, the other receives, in order; close closes both. */
export function inProcessPortPair(): { engineSide: EnginePort; clientSide: ClientPort } {
  const engineSide = end<unknown, ServerMessage>();
  const clientSide = end<unknown, ClientMessage>();
  engineSide.connect(clientSide);
  clientSide.connect(engineSide);
  return { engineSide: engineSide.port, clientSide: clientSide.port };
}

interface End<In, Out> {
  port: SessionPort<In, Out>;
  deliver(message: unknown): void;
  closed(): void;
  connect(peer: End<unknown, unknown>): void;
}

function end<In, Out>(): End<In, Out> {
  let peer: End<unknown, unknown> | null = null;
  let onMessage: (m: In) => void = () => undefined;
  let onClose: () => void = () => undefined;
  let open = true;
  const self: End<In, Out> = {
    port: {
      send(message) {
        if (!open) return;
        const to = peer;
        queueMicrotask(() => to?.deliver(message));
      },
      onMessage(listener) {
        onMessage = listener;
      },
      onClose(listener) {
        onClose = listener;
      },
      close() {
        if (!open) return;
        self.closed();
        peer?.closed();
      },
    },
    deliver(message) {
      if (open) onMessage(message as In);
    },
    closed() {
      if (!open) return;
      open = false;
      // After the messages already on their way, as a socket's close follows its data.
      queueMicrotask(() => onClose());
    },
    connect(p) {
      peer = p;
    },
  };
  return self;
}

/**
 * A session with `host`'s engine inside this process. `attach()` subscribes to batches (answering
 * with the snapshot); `invoke` works with or without it; `close()` ends the session.
 */
export function attachInProcess(host: EngineHost): SessionClient {
  const { engineSide, clientSide } = inProcessPortPair();
  runUiSession(engineSide, host);
  return createSessionClient(clientSide);
}
