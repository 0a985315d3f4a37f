/**
 * An endpoint as the session file keeps it: the settings it was opened with (as the person typed
 * them), plus what they changed later (behaviour, client cap, UDP socket options). A port typed as
 * 0 is saved as the port the kernel chose, so the endpoint comes back on the same address and port.
 */
import type { EndpointSnapshot, ListenerSnapshot, ConnectionSnapshot, UdpSnapshot } from '../../shared/endpoints';
import type { SessionConnection, SessionEndpoint, SessionListener, SessionUdp } from '../../shared/session';

/** Every live endpoint's entry, in creation order. `previous` holds each one's last entry by id. */
export function endpointEntries(snapshots: EndpointSnapshot[], previous: ReadonlyMap<string, SessionEndpoint>): Map<string, SessionEndpoint> {
  const out = new Map<string, SessionEndpoint>();
  for (const s of snapshots) out.set(s.id, endpointEntry(s, previous.get(s.id)));
  return out;
}

export function endpointEntry(s: EndpointSnapshot, previous: SessionEndpoint | undefined): SessionEndpoint {
  switch (s.kind) {
    case 'tcp-listener':
      return listenerEntry(s);
    case 'tcp-connection':
      return connectionEntry(s);
    case 'udp':
      return udpEntry(s, previous?.kind === 'udp' ? previous : undefined);
  }
}

/** The port to reopen on: the kernel's choice when the person asked for any port (0). */
function reopenPort(typed: number | string, local: EndpointSnapshot['local']): number | string {
  return typed === 0 && local?.kind === 'inet' ? local.port : typed;
}

function listenerEntry(s: ListenerSnapshot): SessionListener {
  const r = s.request;
  const common = {
    backlog: r.backlog,
    behaviour: s.behaviour,
    ...(s.rules ? { rules: s.rules } : {}),
    ...(s.exec ? { exec: s.exec } : {}),
    maxClients: s.maxClients,
    // Without the key's passphrase: the snapshot never carries it.
    ...(s.tls ? { tls: s.tls.options } : {}),
  };
  if (r.path !== null) return { kind: 'tcp-listener', id: s.id, path: r.path, ...common };
  return {
    kind: 'tcp-listener',
    id: s.id,
    bindAddress: r.bindAddress ?? '0.0.0.0',
    port: reopenPort(r.port ?? 0, s.local),
    ipv6Only: r.ipv6Only,
    ...common,
  };
}

function connectionEntry(s: ConnectionSnapshot): SessionConnection {
  const r = s.request;
  const tls = r.tls ? { tls: r.tls } : {};
  if (r.path !== null) return { kind: 'tcp-connection', id: s.id, path: r.path, timeoutMs: r.timeoutMs, ...tls };
  return {
    kind: 'tcp-connection',
    id: s.id,
    host: r.host ?? '',
    port: r.port ?? 0,
    timeoutMs: r.timeoutMs,
    ...(r.localAddress !== null ? { localAddress: r.localAddress } : {}),
    ...(r.localPort !== null ? { localPort: r.localPort } : {}),
    noDelay: r.noDelay,
    keepAlive: r.keepAlive,
    happyEyeballs: r.happyEyeballs,
    ...tls,
  };
}

/**
 * Socket options exist only on a bound socket (closing one drops its memberships): while the
 * endpoint is not bound — a bind that failed after a restart, one a person closed — the options
 * saved before are kept, so `Retry` and the next start bring them back.
 */
function udpEntry(s: UdpSnapshot, previous: SessionUdp | undefined): SessionUdp {
  const r = s.request;
  const base: SessionUdp = {
    kind: 'udp',
    id: s.id,
    bindAddress: r.bindAddress,
    port: reopenPort(r.port, s.local),
    type: r.type,
    reuseAddr: r.reuseAddr,
    ipv6Only: r.ipv6Only,
    ...(r.receiveBufferBytes !== undefined ? { receiveBufferBytes: r.receiveBufferBytes } : {}),
    behaviour: s.behaviour,
    ...(s.rules ? { rules: s.rules } : {}),
  };
  if (s.state !== 'bound') {
    if (!previous) return base;
    const { broadcast, ttl, multicastTtl, multicastLoopback, memberships, connectedTo } = previous;
    return { ...base, ...definedOnly({ broadcast, ttl, multicastTtl, multicastLoopback, memberships, connectedTo }) };
  }
  const connected = s.connectedTo?.kind === 'inet' ? { host: s.connectedTo.host, port: s.connectedTo.port } : undefined;
  return {
    ...base,
    broadcast: s.broadcast,
    ttl: s.ttl,
    multicastTtl: s.multicastTtl,
    multicastLoopback: s.multicastLoopback,
    memberships: s.memberships.map((m) => ({ group: m.group, iface: m.iface })),
    ...(connected ? { connectedTo: connected } : {}),
  };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
