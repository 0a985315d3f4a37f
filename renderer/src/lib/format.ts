import type { ConversationState, EndpointSnapshot } from '../../../shared/endpoints';
import { formatSockAddr } from '../../../shared/primitives';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export const formatRate = (bytesPerSecond: number) => `${formatBytes(bytesPerSecond)}/s`;

export function formatTime(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

const CONVERSATION_LABELS: Record<ConversationState, string> = {
  resolving: 'Resolving',
  connecting: 'Connecting',
  established: 'Established',
  'peer-closed': 'Established (peer closed its side)',
  'local-closed': 'Established (we closed our side)',
  closed: 'Closed',
};

/** Any state shown while the engine is unreachable: the last one known may no longer be true. */
export const UNKNOWN_STATE = 'Unknown (engine disconnected)';
/** The same in a sidebar item or a table cell, where the main pane's alert already says why. */
export const UNKNOWN_STATE_SHORT = 'Unknown';

/** `live`: false while the engine is unreachable (connection-slice selectEngineLive). */
export const conversationStateLabel = (s: ConversationState, live = true) => (live ? CONVERSATION_LABELS[s] : UNKNOWN_STATE);

/** `live`: false while the engine is unreachable (connection-slice selectEngineLive). */
export function endpointStateLabel(e: EndpointSnapshot, live = true): string {
  if (!live) return UNKNOWN_STATE;
  switch (e.kind) {
    case 'tcp-listener':
      return e.state === 'listening'
        ? 'Listening'
        : e.state === 'not-accepting'
          ? 'Not accepting (clients kept)'
          : e.state === 'opening'
            ? 'Opening'
            : 'Closed';
    case 'tcp-connection':
      return conversationStateLabel(e.state);
    case 'udp':
      return e.state === 'bound' ? 'Bound' : e.state === 'binding' ? 'Binding' : 'Closed';
  }
}

const KIND_NAMES = { 'tcp-listener': 'Listener', 'tcp-connection': 'Connection', udp: 'UDP endpoint' } as const;

/** The workspace's accessible name: `Listener 127.0.0.1:43521`, `Connection 127.0.0.1:5000`… */
export function endpointTitle(e: EndpointSnapshot): string {
  const kind = KIND_NAMES[e.kind];
  const local = e.local ? formatSockAddr(e.local) : null;
  if (e.kind === 'tcp-connection') {
    const target = e.remote
      ? formatSockAddr(e.remote)
      : e.request.path ?? `${e.request.host ?? ''}:${e.request.port ?? ''}`;
    return local ? `${kind} ${local} → ${target}` : `${kind} → ${target}`;
  }
  if (local) return `${kind} ${local}`;
  if (e.kind === 'tcp-listener') return `${kind} ${e.request.path ?? `${e.request.bindAddress ?? ''}:${e.request.port ?? ''}`}`;
  return `${kind} ${e.request.bindAddress}:${e.request.port}`;
}
