import type { CommandResult } from '../../../shared/contract';
import type { Transport, TransportStatus } from './transport';

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

const disconnected = (message: string): CommandResult => ({ ok: false, error: { code: 'DISCONNECTED', message } });

export function createWebSocketTransport(token: string): Transport {
  const eventListeners = new Set<(batch: unknown) => void>();
  const statusListeners = new Set<(s: TransportStatus) => void>();
  const pending = new Map<number, (r: unknown) => void>();
  let nextId = 1;
  let ws: WebSocket | null = null;
  let status: TransportStatus = 'connecting';
  let retryMs = 250;

  const setStatus = (s: TransportStatus) => {
    status = s;
    for (const l of statusListeners) l(s);
  };

  const connect = () => {
    const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${window.location.host}/ws`, [APP_PROTOCOL, TOKEN_PREFIX + token]);
    ws = socket;
    setStatus('connecting');
    socket.onopen = () => {
      retryMs = 250;
      setStatus('connected');
    };
    socket.onmessage = (ev) => {
      let msg: { type?: string; id?: number; result?: unknown; batch?: unknown };
      try {
        msg = JSON.parse(String(ev.data)) as typeof msg;
      } catch {
        return;
      }
      if (msg.type === 'batch') for (const l of eventListeners) l(msg.batch);
      else if (msg.type === 'result' && typeof msg.id === 'number') {
        pending.get(msg.id)?.(msg.result);
        pending.delete(msg.id);
      }
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = null;
      for (const resolve of pending.values()) resolve(disconnected('the connection to the engine closed'));
      pending.clear();
      setStatus('disconnected');
      // The engine may be restarting: try again, backing off to 5 s.
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  return {
    kind: 'websocket',
    invoke(command, payload) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.resolve(disconnected('not connected to the engine'));
      const id = nextId++;
      const socket = ws;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify({ type: 'invoke', id, command, payload }));
      });
    },
    onEvents(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
  };
}
