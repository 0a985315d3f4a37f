/**
 * Which rows of the OS socket table are Sockscope's own. The engine's sockets live in this very
 * process, so a row is ours when it carries our pid and its addresses match one of our endpoints:
 * a listener's LISTEN row and a UDP socket by local address and port, a connection or an accepted
 * client by both ends. TIME_WAIT (and other orphaned) rows have no process any more: they are
 * ours when both ends match a conversation of ours that closed recently.
 */
import type { SockAddr } from '../../shared/primitives';
import type { SystemSocketOwner, SystemSocketRow } from '../../shared/system-sockets';
import type { OwnSocketsContext } from '../contexts';

/**
 * How long after a conversation closed its orphaned rows still count as ours. TIME_WAIT lasts
 * 60 s on Linux, 30 s on macOS and up to 240 s on Windows; a 4-tuple is not reused within it.
 */
export const RECENTLY_CLOSED_MS = 5 * 60_000;

interface Inet {
  address: string;
  port: number;
}

/** What the engine holds right now, reduced to what matching needs. Built from snapshots. */
export interface OwnSockets {
  pid: number;
  now: number;
  listeners: Array<Inet & { endpointId: string }>;
  unixListeners: Array<{ endpointId: string; path: string }>;
  udp: Array<Inet & { endpointId: string }>;
  conversations: Array<{
    endpointId: string;
    conversationId: string;
    local: Inet;
    remote: Inet;
    closedAt: number | null;
  }>;
  /** Connections still in connect(): their socket shows SYN_SENT towards this address. */
  connecting: Array<Inet & { endpointId: string }>;
}

function inet(a: SockAddr | null): Inet | null {
  return a?.kind === 'inet' ? { address: a.host, port: a.port } : null;
}

/** Reads the engine's endpoints and conversations (their snapshots: no socket is touched). */
export function ownSocketsOf(engine: OwnSocketsContext, pid: number = process.pid): OwnSockets {
  const own: OwnSockets = {
    pid,
    now: engine.clock.now(),
    listeners: [],
    unixListeners: [],
    udp: [],
    conversations: [],
    connecting: [],
  };
  for (const endpoint of engine.listEndpoints()) {
    const s = endpoint.snapshot();
    if (s.kind === 'tcp-listener') {
      if (s.state !== 'listening') continue;
      const local = inet(s.local);
      if (local) own.listeners.push({ ...local, endpointId: s.id });
      else if (s.local?.kind === 'unix' && s.local.path) {
        own.unixListeners.push({ endpointId: s.id, path: s.local.path });
        // Bound through an alias (tcp/unix-socket-file.ts): the OS table shows that name.
        const kernelPath = endpoint.unixKernelPath ?? null;
        if (kernelPath && kernelPath !== s.local.path) own.unixListeners.push({ endpointId: s.id, path: kernelPath });
      }
    } else if (s.kind === 'udp') {
      const local = inet(s.local);
      if (local && s.state === 'bound') own.udp.push({ ...local, endpointId: s.id });
    } else if (s.state === 'connecting') {
      for (const attempt of s.attempts) {
        if (attempt.result === 'pending') own.connecting.push({ address: attempt.address, port: attempt.port, endpointId: s.id });
      }
    }
  }
  for (const c of engine.listConversations()) {
    const s = c.snapshot();
    if (!s) continue;
    const local = inet(s.local);
    const remote = inet(s.remote);
    if (!local || !remote) continue;
    if (s.closedAt !== null && own.now - s.closedAt > RECENTLY_CLOSED_MS) continue;
    own.conversations.push({ endpointId: s.endpointId, conversationId: s.id, local, remote, closedAt: s.closedAt });
  }
  return own;
}

/**
 * One address as every tool and Node can spell it: no brackets or zone, lower case, IPv4-mapped
 * IPv6 as plain IPv4, and every wildcard (`*`, `0.0.0.0`, `::`) as `*`.
 */
export function canonicalAddress(address: string | null): string {
  if (address === null) return '*';
  let a = address.trim().toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && /^\d{1,3}(\.\d{1,3}){3}$/.test(a.slice(7))) a = a.slice(7);
  if (a === '' || a === '*' || a === '0.0.0.0' || a === '::' || a === '0:0:0:0:0:0:0:0') return '*';
  return a;
}

function compatible(a: string, b: string): boolean {
  return a === '*' || b === '*' || a === b;
}

function tupleKey(localAddress: string, localPort: number, remoteAddress: string, remotePort: number): string {
  return `${localAddress}|${localPort}|${remoteAddress}|${remotePort}`;
}

/** States of a TCP socket that no process holds any more but the kernel still keeps. */
const ORPHAN_STATES = new Set<SystemSocketRow['state']>(['TIME_WAIT', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'LAST_ACK', 'CLOSE_WAIT']);

/** For each row (same order), the Sockscope endpoint it belongs to, or null. */
export function markOwnRows(rows: readonly SystemSocketRow[], own: OwnSockets): Array<SystemSocketOwner | null> {
  const byTuple = new Map<string, OwnSockets['conversations'][number]>();
  for (const c of own.conversations) {
    const key = tupleKey(canonicalAddress(c.local.address), c.local.port, canonicalAddress(c.remote.address), c.remote.port);
    const prev = byTuple.get(key);
    // The same 4-tuple reused: the open one, else the one that closed last.
    if (!prev || (prev.closedAt !== null && (c.closedAt === null || c.closedAt > prev.closedAt))) byTuple.set(key, c);
  }
  const listeners = own.listeners.map((l) => ({ ...l, address: canonicalAddress(l.address) }));
  const udp = own.udp.map((u) => ({ ...u, address: canonicalAddress(u.address) }));
  const connecting = own.connecting.map((c) => ({ ...c, address: canonicalAddress(c.address) }));

  return rows.map((row): SystemSocketOwner | null => {
    const ours = row.processes.some((p) => p.pid === own.pid);
    if (row.proto === 'unix') {
      if (!ours || row.state !== 'LISTEN') return null;
      const l = own.unixListeners.find((u) => u.path === row.localAddress);
      return l ? { endpointId: l.endpointId, conversationId: null } : null;
    }
    if (row.localPort === null) return null;
    const local = canonicalAddress(row.localAddress);
    const connected = row.remotePort !== null && row.remotePort !== 0;
    const remote = canonicalAddress(row.remoteAddress);
    if (ours) {
      if (row.proto === 'udp') {
        const u = udp.find((e) => e.port === row.localPort && compatible(e.address, local));
        return u ? { endpointId: u.endpointId, conversationId: null } : null;
      }
      if (row.state === 'LISTEN') {
        const l = listeners.find((e) => e.port === row.localPort && compatible(e.address, local));
        return l ? { endpointId: l.endpointId, conversationId: null } : null;
      }
      if (!connected) return null;
      const c = byTuple.get(tupleKey(local, row.localPort, remote, row.remotePort as number));
      if (c) return { endpointId: c.endpointId, conversationId: c.conversationId };
      if (row.state === 'SYN_SENT') {
        const p = connecting.find((e) => e.port === row.remotePort && e.address === remote);
        return p ? { endpointId: p.endpointId, conversationId: null } : null;
      }
      return null;
    }
    // Another process's socket is never ours; an orphan (no process) may be one we closed.
    if (row.processes.length > 0 || row.proto !== 'tcp' || !connected || !ORPHAN_STATES.has(row.state)) return null;
    const c = byTuple.get(tupleKey(local, row.localPort, remote, row.remotePort as number));
    return c ? { endpointId: c.endpointId, conversationId: c.conversationId } : null;
  });
}
