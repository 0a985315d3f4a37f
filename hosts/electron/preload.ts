/**
 * Sandboxed preload: exposes exactly `window.sockscope` (SockscopePreloadApi) — never ipcRenderer
 * itself, never the IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { AppCommand } from '../../shared/app-commands';
import { IPC_CHANNELS, PRELOAD_GLOBAL, type SockscopePreloadApi } from '../../shared/preload-api';

const api: SockscopePreloadApi = {
  invoke: (command, payload) => ipcRenderer.invoke(IPC_CHANNELS.invoke, command, payload),
  onEvents(listener) {
    const handler = (_event: Electron.IpcRendererEvent, batch: unknown) => listener(batch);
    ipcRenderer.on(IPC_CHANNELS.events, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.events, handler);
    };
  },
  onMenuCommand(listener) {
    // Only a name from the fixed enum crosses into the page; anything else is dropped here.
    const handler = (_event: Electron.IpcRendererEvent, command: unknown) => {
      const parsed = AppCommand.safeParse(command);
      if (parsed.success) listener(parsed.data);
    };
    ipcRenderer.on(IPC_CHANNELS.menuCommand, handler);
    return () => {
      ipcRenderer.removeListener(IPC_CHANNELS.menuCommand, handler);
    };
  },
};

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, api);
