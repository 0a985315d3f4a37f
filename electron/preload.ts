/**
 * Sandboxed preload: exposes exactly `window.sockscope` (SockscopePreloadApi) — never ipcRenderer
 * itself, never the IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNELS, PRELOAD_GLOBAL, type SockscopePreloadApi } from '../shared/preload-api';

const api: SockscopePreloadApi = {
  invoke: (command, payload) => ipcRenderer.invoke(IPC_CHANNELS.invoke, command, payload),
  onEvents(listener) {
    const handler = (_event: Electron.IpcRendererEvent, batch: unknown) => listener(batch);
    ipcRenderer.on(IPC_CHANNELS.events, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.events, handler);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, api);
