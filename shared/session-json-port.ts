/**
 * The client's session port over a transport of JSON text frames (the browser-mode WebSocket).
 * Free of DOM and Node types: the renderer wires a browser WebSocket to it, the tests a `ws` one.
 */
import type { ClientPort } from './session-client';

/** What the port needs of the socket; the caller feeds it the socket's events. */
export interface TextSocket {
  send(text: string): void;
  close(): void;
}

export interface JsonPort {
  port: ClientPort;
  /** One text frame arrived (anything but JSON is dropped: the session client reports nothing for it). */
  received(text: string): void;
  /** The socket closed, from either side. */
  ended(): void;
}

export function jsonPort(socket: TextSocket): JsonPort {
  let closed = false;
  let onMessage: (message: unknown) => void = () => undefined;
  let onClose: () => void = () => undefined;
  const ended = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  return {
    port: {
      send(message) {
        if (!closed) socket.send(JSON.stringify(message));
      },
      onMessage(listener) {
        onMessage = listener;
      },
      onClose(listener) {
        onClose = listener;
      },
      close() {
        socket.close();
        ended();
      },
    },
    received(text) {
      if (closed) return;
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return;
      }
      onMessage(msg);
    },
    ended,
  };
}
