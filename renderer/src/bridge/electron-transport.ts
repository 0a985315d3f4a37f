import { preloadPort, type SockscopePreloadApi } from '../../../shared/preload-api';
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
    start({ open, status }) {
      status('connected');
      open(preloadPort(api));
    },
  };
}
