/** Which OS rows are Sockscope's own: pure matching on synthetic rows. */
import { describe, expect, it } from 'vitest';
import type { SystemSocketRow } from '../../../shared/system-sockets';
import { canonicalAddress, markOwnRows, RECENTLY_CLOSED_MS, type OwnSockets } from '../ownership';

const PID = 4242;
const NOW = 10_000_000;

function row(patch: Partial<SystemSocketRow>): SystemSocketRow {
  return {
    key: Math.random().toString(36),
    proto: 'tcp',
    family: 'inet',
    localAddress: '127.0.0.1',
    localPort: 1,
    remoteAddress: '0.0.0.0',
    remotePort: null,
    state: 'LISTEN',
    stateRaw: '',
    recvQ: 0,
    sendQ: 0,
    processes: [{ pid: PID, name: 'node' }],
    uid: 0,
    inode: 1,
    bytesSent: null,
    bytesReceived: null,
    rttMs: null,
    ...patch,
  };
}

function own(patch: Partial<OwnSockets> = {}): OwnSockets {
  return {
    pid: PID,
    now: NOW,
    listeners: [{ endpointId: 'l1', address: '127.0.0.1', port: 5000 }],
    unixListeners: [{ endpointId: 'l2', path: '/tmp/sockscope.sock' }],
    udp: [{ endpointId: 'u1', address: '::', port: 5353 }],
    conversations: [
      // c1 connected to our own listener l1, which accepted it as l1.c1.
      { endpointId: 'c1', conversationId: 'c1.s1', local: { address: '127.0.0.1', port: 40000 }, remote: { address: '127.0.0.1', port: 5000 }, closedAt: null },
      { endpointId: 'l1', conversationId: 'l1.c1', local: { address: '127.0.0.1', port: 5000 }, remote: { address: '127.0.0.1', port: 40000 }, closedAt: null },
      // A client of l1 that closed a moment ago.
      { endpointId: 'l1', conversationId: 'l1.c2', local: { address: '127.0.0.1', port: 5000 }, remote: { address: '127.0.0.1', port: 40002 }, closedAt: NOW - 1000 },
      // An IPv6 dual-stack listener's client: Node says ::ffff:127.0.0.1.
      { endpointId: 'l3', conversationId: 'l3.c1', local: { address: '::ffff:127.0.0.1', port: 6000 }, remote: { address: '::ffff:127.0.0.1', port: 40010 }, closedAt: null },
    ],
    connecting: [{ endpointId: 'c2', address: '127.0.0.1', port: 7000 }],
    ...patch,
  };
}

describe('canonicalAddress', () => {
  it('writes every wildcard, mapped, bracketed and zoned spelling one way', () => {
    expect(['*', '0.0.0.0', '::', '[::]', null].map(canonicalAddress)).toEqual(['*', '*', '*', '*', '*']);
    expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalAddress('[FE80::1%eth0]')).toBe('fe80::1');
    expect(canonicalAddress('127.0.0.53%lo')).toBe('127.0.0.53');
  });
});

describe('markOwnRows', () => {
  it('marks our listener, both ends of our connection to it, our UDP socket and our Unix listener', () => {
    const rows = [
      row({ localPort: 5000 }),
      row({ localPort: 40000, remoteAddress: '127.0.0.1', remotePort: 5000, state: 'ESTABLISHED' }),
      row({ localPort: 5000, remoteAddress: '127.0.0.1', remotePort: 40000, state: 'ESTABLISHED' }),
      row({ proto: 'udp', family: 'inet6', localAddress: '*', localPort: 5353, state: 'UNCONN', remoteAddress: '*' }),
      row({ proto: 'unix', family: 'unix', localAddress: '/tmp/sockscope.sock', localPort: null, remoteAddress: '*' }),
      row({ family: 'inet6', localAddress: '::ffff:127.0.0.1', localPort: 6000, remoteAddress: '::ffff:127.0.0.1', remotePort: 40010, state: 'ESTABLISHED' }),
    ];
    expect(markOwnRows(rows, own())).toEqual([
      { endpointId: 'l1', conversationId: null },
      { endpointId: 'c1', conversationId: 'c1.s1' },
      { endpointId: 'l1', conversationId: 'l1.c1' },
      { endpointId: 'u1', conversationId: null },
      { endpointId: 'l2', conversationId: null },
      { endpointId: 'l3', conversationId: 'l3.c1' },
    ]);
  });

  it("never marks another process's socket, even on the same addresses", () => {
    const foreign = [{ pid: 1, name: 'x",pid=4242,fd=9' }];
    const rows = [
      row({ localPort: 5000, processes: foreign }),
      row({ localPort: 40000, remoteAddress: '127.0.0.1', remotePort: 5000, state: 'ESTABLISHED', processes: foreign }),
      row({ localPort: 5000, remoteAddress: '127.0.0.1', remotePort: 40002, state: 'TIME_WAIT', processes: foreign }),
    ];
    expect(markOwnRows(rows, own())).toEqual([null, null, null]);
  });

  it('marks an orphaned TIME_WAIT row of a conversation we closed recently, not an old one', () => {
    const timeWait = row({ localPort: 5000, remoteAddress: '127.0.0.1', remotePort: 40002, state: 'TIME_WAIT', processes: [], inode: null });
    expect(markOwnRows([timeWait], own())).toEqual([{ endpointId: 'l1', conversationId: 'l1.c2' }]);
    // Same 4-tuple, but the other direction: the peer's socket, not ours.
    const reversed = { ...timeWait, localPort: 40002, remotePort: 5000 };
    expect(markOwnRows([reversed], own())).toEqual([null]);
    // ownSocketsOf drops conversations closed longer ago than RECENTLY_CLOSED_MS.
    expect(RECENTLY_CLOSED_MS).toBeGreaterThanOrEqual(60_000);
  });

  it('marks a SYN_SENT row of a connection still connecting, by its destination', () => {
    const synSent = row({ localPort: 40100, remoteAddress: '127.0.0.1', remotePort: 7000, state: 'SYN_SENT' });
    expect(markOwnRows([synSent], own())).toEqual([{ endpointId: 'c2', conversationId: null }]);
  });

  it("leaves our process's other sockets (the browser-mode UI server) unmarked", () => {
    const uiServer = row({ localPort: 45000 });
    const uiClient = row({ localPort: 45000, remoteAddress: '127.0.0.1', remotePort: 51000, state: 'ESTABLISHED' });
    expect(markOwnRows([uiServer, uiClient], own())).toEqual([null, null]);
  });

  it('tells conversations on the same two ports apart by their addresses', () => {
    const conversation = (id: string, local: string, remote: string) => ({
      endpointId: 'l1',
      conversationId: id,
      local: { address: local, port: 5000 },
      remote: { address: remote, port: 40000 },
      closedAt: null,
    });
    const mine = own({
      conversations: [conversation('a', '127.0.0.1', '127.0.0.9'), conversation('b', '127.0.0.2', '127.0.0.9'), conversation('c', '127.0.0.1', '::ffff:127.0.0.8')],
    });
    const connected = (local: string, remote: string) =>
      row({ localAddress: local, localPort: 5000, remoteAddress: remote, remotePort: 40000, state: 'ESTABLISHED' });
    const owners = markOwnRows(
      [connected('127.0.0.2', '127.0.0.9'), connected('127.0.0.1', '127.0.0.8'), connected('127.0.0.1', '127.0.0.9'), connected('127.0.0.3', '127.0.0.9')],
      mine,
    );
    expect(owners.map((o) => o?.conversationId ?? null)).toEqual(['b', 'c', 'a', null]);
  });

  it('gives a reused 4-tuple to the open conversation, else to the one that closed last', () => {
    const tuple = { local: { address: '127.0.0.1', port: 5000 }, remote: { address: '127.0.0.1', port: 40005 } };
    const timeWait = row({ localPort: 5000, remoteAddress: '127.0.0.1', remotePort: 40005, state: 'TIME_WAIT', processes: [], inode: null });
    const closed = (id: string, closedAt: number) => ({ endpointId: 'l1', conversationId: id, ...tuple, closedAt });
    const open = { endpointId: 'l1', conversationId: 'open', ...tuple, closedAt: null };
    expect(markOwnRows([timeWait], own({ conversations: [closed('older', NOW - 900), open, closed('newer', NOW - 100)] }))).toEqual([
      { endpointId: 'l1', conversationId: 'open' },
    ]);
    expect(markOwnRows([timeWait], own({ conversations: [closed('older', NOW - 900), closed('newer', NOW - 100), closed('old', NOW - 500)] }))).toEqual([
      { endpointId: 'l1', conversationId: 'newer' },
    ]);
  });

  it('a wildcard listener matches its LISTEN row on any spelling of the wildcard', () => {
    const mine = own({ listeners: [{ endpointId: 'l9', address: '::', port: 5100 }] });
    expect(markOwnRows([row({ localAddress: '*', localPort: 5100 })], mine)).toEqual([{ endpointId: 'l9', conversationId: null }]);
    expect(markOwnRows([row({ localAddress: '10.0.0.1', localPort: 5101 })], mine)).toEqual([null]);
  });
});
