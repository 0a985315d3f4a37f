/**
 * Sandboxed preload: exposes exactly `window.sockscope` (SockscopePreloadApi, built in
 * preload-bindings.ts) — never ipcRenderer itself, never the IPC event object.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { PRELOAD_GLOBAL } from '../../shared/preload-api';
import { preloadApi } from './preload-bindings';

contextBridge.exposeInMainWorld(PRELOAD_GLOBAL, preloadApi(ipcRenderer));
