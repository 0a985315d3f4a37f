import { jsonPort } from '../../../shared/session-json-port';
import type { Transport } from './transport';

const APP_PROTOCOL = 'sockscope.v1';
const TOKEN_PREFIX = 'sockscope.token.';
const TOKEN_KEY = 'sockscope.token';

/**
 * The access token arrives in the page URL. It stays there, so the URL can be opened again in
 * another tab (it is the same URL the host printed); the tab also keeps it for its own reloads.
 */
export function takeToken(): string | null {
  const fromUrl = new URL(window.location.href).searchParams.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createWebSocketTransport(token: string): Transport {
  return {
    kind: 'websocket',
    start({ open, status }) {
      let retryMs = 250;
      const connect = () => {
        const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
        const socket = new WebSocket(`${scheme}://${window.location.host}/ws`, [APP_PROTOCOL, TOKEN_PREFIX + token]);
        status('connecting');
        socket.onopen = () => {
          retryMs = 250;
          status('connected');
          const p = jsonPort(socket);
          socket.onmessage = (ev) => p.received(String(ev.data));
          socket.onclose = p.ended;
          open(p.port);
        };
        // Whether or not it ever opened (the host may be restarting): try again.
        socket.addEventListener('close', lost);
      };
      const lost = () => {
        status('disconnected');
        // The engine may be restarting: try again, backing off to 5 s.
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 5000);
      };
      connect();
    },
  };
}
