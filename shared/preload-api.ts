/**
 * The one API the Electron preload exposes on `window.sockscope`. The preload implements it and
 * the renderer's Electron transport consumes it, so the shape is written down exactly once.
 * It carries the session protocol (session-protocol.ts), the same messages as the WebSocket.
 */
import type { AppCommand } from './app-commands';
import type { ClientPort } from './session-client';
import type { ClientMessage } from './session-protocol';

export interface SockscopePreloadApi {
  /** Sends one session message (hello or invoke) to the engine in the main process. */
  send(message: ClientMessage): void;
  /** Receives the engine's session messages (attached, result, batch, error); returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
  /** Receives the application menu's commands (only names of AppCommand); returns the unsubscribe function. */
  onMenuCommand(listener: (command: AppCommand) => void): () => void;
}

export const PRELOAD_GLOBAL = 'sockscope';
export const IPC_CHANNELS = { session: 'sockscope:session', menuCommand: 'sockscope:menu-command' } as const;

/** The session client's port over the preload's API; IPC to our own main process lasts as long as the page. */
export function preloadPort(api: SockscopePreloadApi): ClientPort {
  let off: (() => void) | null = null;
  let closed: () => void = () => undefined;
  return {
    send: (message) => api.send(message),
    onMessage(listener) {
      off?.();
      off = api.onMessage(listener);
    },
    onClose(listener) {
      closed = listener;
    },
    close() {
      off?.();
      off = null;
      closed();
    },
  };
}
