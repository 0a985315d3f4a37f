/**
 * How System sockets speaks of Sockscope's own endpoints: by the names the sidebar and the
 * workspaces use (`Listener 127.0.0.1:43521`), never by internal ids (`l1.c4`); and which row of
 * another process is the far end of one of our connections (its Close closes our end, after asking).
 */
import type { ConversationSnapshot, EndpointSnapshot } from '../../../../shared/endpoints';
import { formatSockAddr } from '../../../../shared/primitives';
import type { SystemSocketOwner, SystemSocketsRowView } from '../../../../shared/system-sockets';
import { endpointTitle } from '../../lib/format';

interface Known {
  endpoints: Readonly<Record<string, EndpointSnapshot>>;
  conversations: Readonly<Record<string, ConversationSnapshot>>;
}

/**
 * `Listener 127.0.0.1:43521`; for one of its clients, as the sidebar's tree names it under the
 * listener, `Client 127.0.0.1:50122 of Listener 127.0.0.1:43521`. Null once removed.
 */
export function ownSocketName(own: SystemSocketOwner, known: Known): string | null {
  const endpoint = known.endpoints[own.endpointId];
  if (!endpoint) return null;
  const title = endpointTitle(endpoint);
  if (endpoint.kind !== 'tcp-listener' || own.conversationId === null) return title;
  const remote = known.conversations[own.conversationId]?.remote;
  return `Client ${remote ? formatSockAddr(remote) : '(closed)'} of ${title}`;
}

/** One spelling per address: lower case, no brackets or zone, IPv4-mapped IPv6 as IPv4. */
function canonical(address: string): string {
  let a = address.trim().toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  return a.startsWith('::ffff:') && /^\d{1,3}(\.\d{1,3}){3}$/.test(a.slice(7)) ? a.slice(7) : a;
}

const tuple = (localHost: string, localPort: number, remoteHost: string, remotePort: number) =>
  `${canonical(localHost)}|${localPort}|${canonical(remoteHost)}|${remotePort}`;

/** Our open TCP conversations by their 4-tuple, built once per conversations object. */
const indexes = new WeakMap<object, Map<string, string>>();

function conversationIndex(conversations: Known['conversations']): Map<string, string> {
  let index = indexes.get(conversations);
  if (!index) {
    index = new Map();
    for (const c of Object.values(conversations)) {
      if (c.state === 'closed' || c.local?.kind !== 'inet' || c.remote?.kind !== 'inet') continue;
      index.set(tuple(c.local.host, c.local.port, c.remote.host, c.remote.port), c.id);
    }
    indexes.set(conversations, index);
  }
  return index;
}

/**
 * For a TCP row that is not ours, our conversation at its far end (its local side is our remote
 * and the other way round): the other process's end of a connection to or from Sockscope on this
 * machine. Null otherwise.
 */
export function ourConversationAtFarEnd(row: SystemSocketsRowView, conversations: Known['conversations']): string | null {
  if (row.own || row.proto !== 'tcp' || row.state === 'LISTEN' || row.state === 'TIME_WAIT') return null;
  if (row.remoteAddress === null || row.remotePort === null || row.remotePort === 0 || row.localPort === null) return null;
  return conversationIndex(conversations).get(tuple(row.remoteAddress, row.remotePort, row.localAddress, row.localPort)) ?? null;
}
