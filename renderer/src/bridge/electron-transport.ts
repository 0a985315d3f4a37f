import type { SockscopePreloadApi } from '../../../shared/preload-api';
import type { Transport } from './transport';

declare global {
  interface Window {
    sockscope?: SockscopePreloadApi;
  }
}

export function electronApi(): SockscopePreloadApi | undefined {
  return window.sockscope;
}

export function createElectronTransport(api: SockscopePreloadApi): Transport {
  return {
    kind: 'electron',
    invoke: (command, payload) => api.invoke(command, payload),
    onEvents: (listener) => api.onEvents(listener),
    onStatus(listener) {
      // IPC to our own main process is up as long as this page exists.
      listener('connected');
      return () => undefined;
    },
  };
}
