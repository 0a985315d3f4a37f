export type TransportStatus = 'connecting' | 'connected' | 'disconnected';

/** How the renderer reaches its engine: Electron IPC or the browser-mode WebSocket. */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  invoke(command: string, payload: unknown): Promise<unknown>;
  onEvents(listener: (batch: unknown) => void): () => void;
  onStatus(listener: (status: TransportStatus) => void): () => void;
}
