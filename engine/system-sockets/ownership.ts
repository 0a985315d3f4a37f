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

type Conversation = OwnSockets['conversations'][number];

/**
 * Our conversations by 4-tuple (canonical addresses). Looked up once per row of a table that can
 * hold 20,000: keyed by the two ports packed in one small integer, so no key string is built per
 * row; the few conversations on the same ports are told apart by address.
 */
class ConversationsByTuple {
  private readonly byPorts = new Map<number, TupleEntry[]>();

  constructor(conversations: readonly Conversation[]) {
    for (const c of conversations) {
      const local = canonicalAddress(c.local.address);
      const remote = canonicalAddress(c.remote.address);
      const key = portsKey(c.local.port, c.remote.port);
      const entry: TupleEntry = { local, localPort: c.local.port, remote, remotePort: c.remote.port, conversation: c };
      const list = this.byPorts.get(key);
      const prev = list?.find((e) => sameTuple(e, local, entry.localPort, remote, entry.remotePort));
      if (!list) this.byPorts.set(key, [entry]);
      else if (!prev) list.push(entry);
      // The same 4-tuple reused: the open one, else the one that closed last.
      else if (prev.conversation.closedAt !== null && (c.closedAt === null || c.closedAt > prev.conversation.closedAt)) prev.conversation = c;
    }
  }

  get(local: string, localPort: number, remote: string, remotePort: number): Conversation | undefined {
    for (const e of this.byPorts.get(portsKey(localPort, remotePort)) ?? []) {
      if (sameTuple(e, local, localPort, remote, remotePort)) return e.conversation;
    }
    return undefined;
  }
}

interface TupleEntry {
  local: string;
  localPort: number;
  remote: string;
  remotePort: number;
  conversation: Conversation;
}

function sameTuple(e: TupleEntry, local: string, localPort: number, remote: string, remotePort: number): boolean {
  return e.localPort === localPort && e.remotePort === remotePort && e.local === local && e.remote === remote;
}

/** Two ports (0–65535) in one int32, a small integer key (entries still compare the ports themselves). */
function portsKey(localPort: number, remotePort: number): number {
  return (localPort << 16) | remotePort;
}

function holdsPid(processes: SystemSocketRow['processes'], pid: number): boolean {
  for (const p of processes) if (p.pid === pid) return true;
  return false;
}

/** States of a TCP socket that no process holds any more but the kernel still keeps. */
const ORPHAN_STATES = new Set<SystemSocketRow['state']>(['TIME_WAIT', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'LAST_ACK', 'CLOSE_WAIT']);

/** For each row (same order), the Sockscope endpoint it belongs to, or null. */
export function markOwnRows(rows: readonly SystemSocketRow[], own: OwnSockets): Array<SystemSocketOwner | null> {
  const byTuple = new ConversationsByTuple(own.conversations);
  const listeners = own.listeners.map((l) => ({ ...l, address: canonicalAddress(l.address) }));
  const udp = own.udp.map((u) => ({ ...u, address: canonicalAddress(u.address) }));
  const connecting = own.connecting.map((c) => ({ ...c, address: canonicalAddress(c.address) }));
  // A table repeats a handful of addresses (127.0.0.1 on 20,000 rows): canonicalize each once.
  const canonical = new Map<string | null, string>();
  const canonicalOf = (address: string | null): string => {
    let c = canonical.get(address);
    if (c === undefined) {
      c = canonicalAddress(address);
      canonical.set(address, c);
    }
    return c;
  };

  return rows.map((row): SystemSocketOwner | null => {
    const ours = holdsPid(row.processes, own.pid);
    if (row.proto === 'unix') {
      if (!ours || row.state !== 'LISTEN') return null;
      const l = own.unixListeners.find((u) => u.path === row.localAddress);
      return l ? { endpointId: l.endpointId, conversationId: null } : null;
    }
    if (row.localPort === null) return null;
    const connected = row.remotePort !== null && row.remotePort !== 0;
    // Another process's socket is never ours; an orphan (no process) may be one we closed.
    if (!ours && (row.processes.length > 0 || row.proto !== 'tcp' || !connected || !ORPHAN_STATES.has(row.state))) return null;
    const local = canonicalOf(row.localAddress);
    const remote = canonicalOf(row.remoteAddress);
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
      const c = byTuple.get(local, row.localPort, remote, row.remotePort as number);
      if (c) return { endpointId: c.endpointId, conversationId: c.conversationId };
      if (row.state === 'SYN_SENT') {
        const p = connecting.find((e) => e.port === row.remotePort && e.address === remote);
        return p ? { endpointId: p.endpointId, conversationId: null } : null;
      }
      return null;
    }
    const c = byTuple.get(local, row.localPort, remote, row.remotePort as number);
    return c ? { endpointId: c.endpointId, conversationId: c.conversationId } : null;
  });
}
