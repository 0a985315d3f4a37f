import type { ClientPort } from '../../../shared/session-client';

export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

/**
 * How the renderer reaches its engine: Electron IPC or the browser-mode WebSocket. Either way it
 * yields ports that carry the session protocol (shared/session-protocol.ts); the bridge speaks it.
 */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  /** Calls `open` with a fresh port each time the connection (re)opens, and `status` on every change. */
  start(handlers: { open(port: ClientPort): void; status(status: TransportStatus): void }): void;
}
