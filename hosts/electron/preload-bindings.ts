/**
 * What the preload exposes, built over any ipcRenderer-like object, so the IPC transport is tested
 * under plain Node against a fake (preload.ts binds it to Electron's ipcRenderer). Never hands the
 * page ipcRenderer itself or the IPC event object; session messages pass through as they are (the
 * engine's session parses each one it receives, the renderer's session client each one it is sent).
 */
import { AppCommand } from '../../shared/app-commands';
import { IPC_CHANNELS, type SockscopePreloadApi } from '../../shared/preload-api';

/** The part of Electron's ipcRenderer the preload uses. */
export interface RendererIpc {
  send(channel: string, message: unknown): void;
  on(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, message: unknown) => void): unknown;
}

/** Subscribes `listener` to `channel` with the IPC event object left out; returns the unsubscribe. */
function subscribe(ipc: RendererIpc, channel: string, listener: (message: unknown) => void): () => void {
  const handler = (_event: unknown, message: unknown) => listener(message);
  ipc.on(channel, handler);
  return () => {
    ipc.removeListener(channel, handler);
  };
}

export function preloadApi(ipc: RendererIpc): SockscopePreloadApi {
  return {
    send: (message) => ipc.send(IPC_CHANNELS.session, message),
    onMessage: (listener) => subscribe(ipc, IPC_CHANNELS.session, listener),
    // Only a name from the fixed enum crosses into the page; anything else is dropped here.
    onMenuCommand: (listener) =>
      subscribe(ipc, IPC_CHANNELS.menuCommand, (command) => {
        const parsed = AppCommand.safeParse(command);
        if (parsed.success) listener(parsed.data);
      }),
  };
}
