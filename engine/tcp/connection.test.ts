import { spawn } from 'node:child_process';
import { createServer, connect as netConnect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ConnectRequest } from '../../shared/contract';
import { formatSockAddr } from '../../shared/primitives';
import type { ResolvedAddress } from '../net/resolve-host';
import { TcpConnection } from './connection';
import { ALL_BYTES, b64 } from '../testing/bytes';
import { track } from '../testing/cleanup';
import { expectTimelineCalls, freePort, fullQueueListener, trafficBytes } from '../testing/tcp-peers';
import { type TestHost, useTestHosts } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

const host = useTestHosts();

async function listener(h: TestHost, bindAddress = '127.0.0.1', extra: object = {}) {
  const { endpointId } = await h.call('tcp:listen', { bindAddress, port: 0, ...extra });
  const s = h.listener(endpointId);
  if (s.local?.kind !== 'inet') throw new Error(`listener failed: ${JSON.stringify(s.error)}`);
  return { id: endpointId, port: s.local.port };
}

async function established(h: TestHost, id: string, timeoutMs = 5000) {
  return waitFor(
    () => {
      const s = h.connection(id);
      if (s.state === 'closed') throw new Error(`connection closed: ${JSON.stringify(s.error)}`);
      return s.state === 'established' && s.conversationId ? s : undefined;
    },
    `${id} established`,
    timeoutMs,
  );
}

async function closedWithError(h: TestHost, id: string, timeoutMs = 5000) {
  return waitFor(() => {
    const s = h.connection(id);
    return s.state === 'closed' && s.error ? s : undefined;
  }, `${id} closed with an error`, timeoutMs);
}

/** A connection from the engine to one of its own listeners, with both conversations. */
async function pair(h: TestHost, host = 'localhost', bind = '127.0.0.1') {
  const l = await listener(h, bind);
  const { endpointId } = await h.call('tcp:connect', { host, port: l.port });
  const c = await established(h, endpointId);
  const serverSide = await waitFor(() => h.listener(l.id).clientIds[0], 'accepted client');
  return { l, c: endpointId, client: c.conversationId!, server: serverSide };
}

describe('tcp:connect', () => {
  it('resolves, shows every address and attempt, connects, and moves all 256 byte values both ways', async () => {
    const h = host();
    const { l, c, client, server } = await pair(h);
    const s = h.connection(c);
    expect(s.resolved).toEqual([{ address: '127.0.0.1', family: 'IPv4' }]);
    expect(s.attempts).toHaveLength(1);
    expect(s.attempts[0]).toMatchObject({ address: '127.0.0.1', port: l.port, result: 'ok' });
    expect(s.attempts[0]!.endedAt).not.toBeNull();
    expect(s.local).toMatchObject({ kind: 'inet', host: '127.0.0.1' });
    expect(s.local?.kind === 'inet' && s.local.port).toBeGreaterThan(0);
    expect(formatSockAddr(s.remote!)).toBe(`127.0.0.1:${l.port}`);
    expectTimelineCalls(
      s.timeline.map((t) => `${t.call} → ${t.result}`),
      ['getaddrinfo("localhost") → 127.0.0.1', 'socket(AF_INET, SOCK_STREAM) → ok', `connect(127.0.0.1:${l.port}) → ok`],
    );
    expect(h.engine.recentHosts.list('tcp')[0]).toBe(`localhost:${l.port}`);
    // The kernel-chosen port is what the listener sees as the peer.
    const local = s.local?.kind === 'inet' ? s.local.port : -1;
    expect(h.conversation(server).remote).toMatchObject({ port: local });

    const big = Buffer.concat(Array.from({ length: 64 }, () => ALL_BYTES));
    expect(await h.call('conversation:send', { conversationId: client, data: b64(big) })).toEqual({ bytes: big.length });
    expect(await h.call('conversation:send', { conversationId: server, data: b64(ALL_BYTES) })).toEqual({ bytes: 256 });
    await waitFor(async () => (await trafficBytes(h, server, 'in')).equals(big), 'server got every byte');
    await waitFor(async () => (await trafficBytes(h, client, 'in')).equals(ALL_BYTES), 'client got every byte');
    const cs = h.conversation(client);
    expect(cs.stats).toMatchObject({ bytesOut: big.length, bytesIn: 256, chunksOut: 1 });
    expect(cs.stats.chunksIn).toBeGreaterThanOrEqual(1);
  });

  it('half-closes from our side: we send FIN, the peer may still send, then both are closed', async () => {
    const h = host();
    const { c, client, server } = await pair(h);
    await h.call('conversation:shutdown', { conversationId: client });
    expect(h.connection(c).state).toBe('local-closed');
    await waitFor(() => h.conversation(server).state === 'peer-closed', 'server sees our FIN');
    expect((await h.fail('conversation:send', { conversationId: client, data: b64('x') })).code).toBe('INVALID_STATE');
    await h.call('conversation:send', { conversationId: server, data: b64('after your FIN') });
    await waitFor(async () => (await trafficBytes(h, client, 'in')).toString() === 'after your FIN', 'data after FIN');
    await h.call('conversation:shutdown', { conversationId: server });
    await waitFor(() => h.connection(c).state === 'closed' && h.conversation(server).state === 'closed', 'both closed');
    expect(h.conversation(client).firstToClose).toBe('local');
    expect(h.conversation(server).firstToClose).toBe('peer');
    expect(h.conversation(client).closedAt).not.toBeNull();
    const calls = h.connection(c).timeline.map((t) => `${t.call} → ${t.result}`);
    expectTimelineCalls(calls, ['shutdown(SHUT_WR) → ok', 'recv() → 0 (peer sent FIN)', 'close() → ok']);
    expect(h.connection(c).error).toBeNull();
  });

  it('half-closes from the peer: we see peer-closed and can still send', async () => {
    const h = host();
    const { c, client, server } = await pair(h);
    await h.call('conversation:shutdown', { conversationId: server });
    await waitFor(() => h.connection(c).state === 'peer-closed', 'peer-closed');
    await h.call('conversation:send', { conversationId: client, data: b64(ALL_BYTES) });
    await waitFor(async () => (await trafficBytes(h, server, 'in')).equals(ALL_BYTES), 'data after peer FIN');
    await h.call('conversation:shutdown', { conversationId: client });
    await waitFor(() => h.connection(c).state === 'closed', 'closed');
    expect(h.conversation(client).firstToClose).toBe('peer');
    expect(h.conversation(server).firstToClose).toBe('local');
  });

  it('RST from the peer: ECONNRESET explained, first to close is peer-reset', async () => {
    const h = host();
    const { c, client, server } = await pair(h);
    await h.call('conversation:reset', { conversationId: server });
    const s = await closedWithError(h, c);
    expect(s.error).toMatchObject({ code: 'ECONNRESET' });
    expect(s.error!.message).toMatch(/reset by peer/);
    expect(h.conversation(client).firstToClose).toBe('peer-reset');
    expect(h.conversation(server).firstToClose).toBe('local-reset');
    expect(s.timeline.map((t) => `${t.call} → ${t.result}`)).toContain('recv() → ECONNRESET');
    expect((await h.fail('conversation:reset', { conversationId: server })).code).toBe('INVALID_STATE');
  });

  it('RST from us: the accepted client sees ECONNRESET', async () => {
    const h = host();
    const { c, client, server } = await pair(h);
    await h.call('conversation:reset', { conversationId: client });
    expect(h.connection(c).state).toBe('closed');
    await waitFor(() => h.conversation(server).error?.code === 'ECONNRESET', 'server sees RST');
    expect(h.conversation(server).firstToClose).toBe('peer-reset');
    expect(h.conversation(client).firstToClose).toBe('local-reset');
    expect(h.conversation(client).error).toBeNull();
  });

  it('EPIPE: writing after the peer closed its socket completely', async () => {
    const h = host();
    const { l, c, client } = await pair(h);
    await h.call('listener:close-clients', { endpointId: l.id });
    await waitFor(() => h.connection(c).state === 'peer-closed', 'peer FIN');
    // The first write draws an RST from the closed socket; a later one fails with EPIPE.
    const s = await waitFor(async () => {
      const r = await h.dispatch('conversation:send', { conversationId: client, data: b64('ping') });
      const snap = h.connection(c);
      if (snap.error) return snap;
      if (!r.ok) throw new Error(`send refused without an error: ${r.error.message}`);
      await sleep(50);
      return undefined;
    }, 'EPIPE');
    expect(s.error).toMatchObject({ code: 'EPIPE' });
    expect(s.error!.message).toMatch(/Broken pipe/);
    await waitFor(() => h.connection(c).state === 'closed', 'closed after EPIPE');
  });

  it('ECONNREFUSED on a closed port: the attempt and the explanation say so', async () => {
    const h = host();
    const port = await freePort();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const s = await closedWithError(h, endpointId);
    expect(s.error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(s.error!.message).toContain(`127.0.0.1:${port}`);
    expect(s.error!.message).toMatch(/nothing is listening/);
    expect(s.attempts).toEqual([expect.objectContaining({ address: '127.0.0.1', port, result: 'ECONNREFUSED' })]);
    expect(s.resolved).toEqual([{ address: '127.0.0.1', family: 'IPv4' }]);
    // A literal: no getaddrinfo call is claimed.
    expect(s.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual([
      'socket(AF_INET, SOCK_STREAM) → ok',
      `connect(127.0.0.1:${port}) → ECONNREFUSED`,
      'close() → ok',
    ]);
    expect(s.conversationId).toBeNull();
  });

  it('ENOTFOUND for a name that does not exist', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:connect', { host: 'nonexistent.invalid', port: 80 });
    const s = await closedWithError(h, endpointId, 15_000);
    expect(s.error!.code).toBe('ENOTFOUND');
    expect(s.error!.message).toMatch(/Host not found/);
    expect(s.timeline[0]).toMatchObject({ call: 'getaddrinfo("nonexistent.invalid")', result: 'ENOTFOUND', ok: false });
    expect(s.attempts).toEqual([]);
  });

  it('EUNKNOWN_ZONE for an IPv6 zone that names no interface (no packet sent)', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:connect', { host: 'fe80::1%nosuchif0', port: 80 });
    const s = await closedWithError(h, endpointId);
    expect(s.error!.code).toBe('EUNKNOWN_ZONE');
    expect(s.attempts).toEqual([]);
  });

  it('EUNKNOWN_SERVICE for a port name that is not a service', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: 'no-such-service-xyz' });
    const s = await closedWithError(h, endpointId);
    expect(s.error!.code).toBe('EUNKNOWN_SERVICE');
  });

  it('ETIMEDOUT when the listener accept queue is full (SYNs are dropped)', async () => {
    const h = host();
    const port = await fullQueueListener();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port, timeoutMs: 1000 });
    await waitFor(() => h.connection(endpointId).state === 'connecting', 'connecting');
    expect(h.connection(endpointId).attempts[0]!.result).toBe('pending');
    const s = await closedWithError(h, endpointId, 5000);
    expect(s.error!.code).toBe('ETIMEDOUT');
    expect(s.error!.message).toMatch(/accept queue is full/);
    const a = s.attempts[0]!;
    expect(a.result).toBe('ETIMEDOUT');
    expect(a.endedAt! - a.startedAt).toBeGreaterThanOrEqual(900);
    expect(s.timeline.find((t) => t.call === `connect(127.0.0.1:${port})`)?.result).toMatch(/^ETIMEDOUT \(no answer within 1000 ms/);
  });

  it('tries every address in getaddrinfo order: refused on ::1, then connected on 127.0.0.1', async () => {
    const h = host();
    const l = await listener(h, '127.0.0.1');
    // Make sure nothing listens on [::1]:port so the first attempt is really refused.
    const probe = await new Promise<string>((resolve) => {
      const s = netConnect({ host: '::1', port: l.port });
      s.on('connect', () => {
        s.destroy();
        resolve('open');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(probe).toBe('ECONNREFUSED');
    const conn = dualStackConnection(h, l.port);
    const s = await established(h, conn.id);
    expect(s.resolved.map((a) => a.address)).toEqual(['::1', '127.0.0.1']);
    expect(s.attempts.map((a) => [a.address, a.family, a.result])).toEqual([
      ['::1', 'IPv6', 'ECONNREFUSED'],
      ['127.0.0.1', 'IPv4', 'ok'],
    ]);
    expect(s.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual([
      'getaddrinfo("dual.test") → ::1, 127.0.0.1',
      'socket(AF_INET6, SOCK_STREAM) → ok',
      `connect([::1]:${l.port}) → ECONNREFUSED`,
      'close() → ok',
      'socket(AF_INET, SOCK_STREAM) → ok',
      `connect(127.0.0.1:${l.port}) → ok`,
      `getsockname() → ${formatSockAddr(s.local!)}`,
    ]);
    expect(s.error).toBeNull();
  });

  it('when every address fails, the error lists each attempt', async () => {
    const h = host();
    const port = await freePort();
    const conn = dualStackConnection(h, port);
    const s = await closedWithError(h, conn.id);
    expect(s.error!.code).toBe('ECONNREFUSED');
    expect(s.error!.detail).toBe(`tried [::1]:${port} → ECONNREFUSED, 127.0.0.1:${port} → ECONNREFUSED`);
  });

  describe('Happy Eyeballs (Node autoSelectFamily)', () => {
    const HE_OK = "ok (Happy Eyeballs: Node's autoSelectFamily, 250 ms attempt timeout)";

    it('connects with the resolved dual-stack addresses; attempts and timeline are what Node reported', async () => {
      const h = host();
      const l = await listener(h, '127.0.0.1');
      const conn = dualStackConnection(h, l.port, { happyEyeballs: true });
      const s = await established(h, conn.id);
      expect(s.request.happyEyeballs).toBe(true);
      expect(s.attemptMode).toMatchObject({ happyEyeballs: true, attemptTimeoutMs: 250 });
      expect(s.resolved.map((a) => a.address)).toEqual(['::1', '127.0.0.1']);
      expect(s.attempts.map((a) => [a.address, a.port, a.family, a.result])).toEqual([
        ['::1', l.port, 'IPv6', 'ECONNREFUSED'],
        ['127.0.0.1', l.port, 'IPv4', 'ok'],
      ]);
      expect(s.attempts.every((a) => a.endedAt !== null && a.endedAt >= a.startedAt)).toBe(true);
      expect(s.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual([
        'getaddrinfo("dual.test") → ::1, 127.0.0.1',
        'socket(AF_INET6, SOCK_STREAM) → ok',
        `connect([::1]:${l.port}) → ECONNREFUSED`,
        'close() → ok',
        'socket(AF_INET, SOCK_STREAM) → ok',
        `connect(127.0.0.1:${l.port}) → ${HE_OK}`,
        `getsockname() → ${formatSockAddr(s.local!)}`,
      ]);
      expect(formatSockAddr(s.remote!)).toBe(`127.0.0.1:${l.port}`);
      expect(s.error).toBeNull();
      await waitFor(() => h.listener(l.id).clientIds.length === 1, 'accepted by the listener');
    });

    it('every address refused: ECONNREFUSED, with each address Node tried in the detail', async () => {
      const h = host();
      const port = await freePort();
      const conn = dualStackConnection(h, port, { happyEyeballs: true });
      const s = await closedWithError(h, conn.id);
      expect(s.error!.code).toBe('ECONNREFUSED');
      expect(s.error!.detail).toBe(`tried [::1]:${port} → ECONNREFUSED, 127.0.0.1:${port} → ECONNREFUSED`);
      expect(s.attempts.map((a) => [a.address, a.result])).toEqual([
        ['::1', 'ECONNREFUSED'],
        ['127.0.0.1', 'ECONNREFUSED'],
      ]);
    });

    it("an address with no answer is closed after Node's 250 ms attempt timeout and the next one is tried", async () => {
      const h = host();
      const port = await fullQueueListener(); // 127.0.0.1:port drops SYNs
      const l = await listener(h, '::1', { port });
      const conn = dualStackConnection(h, l.port, { happyEyeballs: true }, [
        { address: '127.0.0.1', family: 'IPv4' },
        { address: '::1', family: 'IPv6' },
      ]);
      const s = await established(h, conn.id);
      expect(s.attempts.map((a) => [a.address, a.result])).toEqual([
        ['127.0.0.1', 'ETIMEDOUT'],
        ['::1', 'ok'],
      ]);
      const first = s.attempts[0]!;
      expect(first.endedAt! - first.startedAt).toBeGreaterThanOrEqual(240);
      expect(first.endedAt! - first.startedAt).toBeLessThan(2000);
      expect(s.timeline.find((t) => t.call === `connect(127.0.0.1:${port})`)?.result).toBe(
        'ETIMEDOUT (no answer within 250 ms: Node closed it and tried the next address)',
      );
      expect(s.timeline.find((t) => t.call === `connect([::1]:${port})`)?.result).toBe(HE_OK);
    });

    it('does not apply to an address literal, and says so once in the timeline', async () => {
      const h = host();
      const l = await listener(h, '127.0.0.1');
      const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: l.port, happyEyeballs: true });
      const s = await established(h, endpointId);
      expect(s.request.happyEyeballs).toBe(true);
      expect(s.attemptMode).toMatchObject({ happyEyeballs: false, attemptTimeoutMs: null });
      expect(s.attemptMode!.note).toMatch(/^Happy Eyeballs not applied: 127\.0\.0\.1 is an address literal/);
      expect(s.attempts.map((a) => a.result)).toEqual(['ok']);
      const calls = s.timeline.map((t) => `${t.call} → ${t.result}`);
      expect(calls.slice(0, 2)).toEqual([
        'socket(AF_INET, SOCK_STREAM) → ok',
        `connect(127.0.0.1:${l.port}) → ok (Happy Eyeballs not applied: 127.0.0.1 is an address literal (no getaddrinfo, one address))`,
      ]);
      expect(calls.filter((c) => c.includes('Happy Eyeballs'))).toHaveLength(1);
    });

    it('does not apply when only one family resolved: our loop tries each address in turn', async () => {
      const h = host();
      const l = await listener(h, '127.0.0.1');
      const conn = dualStackConnection(h, l.port, { happyEyeballs: true }, [
        { address: '127.0.0.2', family: 'IPv4' },
        { address: '127.0.0.1', family: 'IPv4' },
      ]);
      const s = await established(h, conn.id);
      expect(s.attemptMode!.happyEyeballs).toBe(false);
      expect(s.attempts.map((a) => [a.address, a.result])).toEqual([
        ['127.0.0.2', 'ECONNREFUSED'],
        ['127.0.0.1', 'ok'],
      ]);
      expect(s.timeline.filter((t) => t.result.includes('Happy Eyeballs not applied: getaddrinfo returned only IPv4'))).toHaveLength(1);
    });

    it('is off by default and the contract accepts only a boolean', async () => {
      const h = host();
      const l = await listener(h, '127.0.0.1');
      const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: l.port });
      const s = await established(h, endpointId);
      expect(s.request.happyEyeballs).toBe(false);
      expect(s.attemptMode).toMatchObject({ happyEyeballs: false, attemptTimeoutMs: null });
      for (const bad of ['yes', 1, null]) {
        const e = await h.fail('tcp:connect', { host: '127.0.0.1', port: l.port, happyEyeballs: bad as unknown as boolean });
        expect(e.code).toBe('VALIDATION');
      }
      expect(h.engine.listEndpoints()).toHaveLength(2);
    });
  });

  it('IPv6 literal with brackets, local address and port, TCP_NODELAY and keep-alive', async () => {
    const h = host();
    const l = await listener(h, '::1');
    const localPort = await freePort('::1');
    const { endpointId } = await h.call('tcp:connect', {
      host: '[::1]',
      port: l.port,
      localAddress: '::1',
      localPort,
      noDelay: true,
      keepAlive: true,
    });
    const s = await established(h, endpointId);
    expect(s.local).toEqual({ kind: 'inet', host: '::1', port: localPort, family: 'IPv6' });
    expect(formatSockAddr(s.remote!)).toBe(`[::1]:${l.port}`);
    expectTimelineCalls(
      s.timeline.map((t) => t.call),
      ['socket(AF_INET6, SOCK_STREAM)', `bind([::1]:${localPort})`, `connect([::1]:${l.port})`, 'setsockopt(TCP_NODELAY, 1)', 'setsockopt(SO_KEEPALIVE, 1)'],
    );
    expect(h.engine.recentHosts.list('tcp')[0]).toBe(`[::1]:${l.port}`);
  });

  it('EADDRNOTAVAIL when the local address is not on this machine: bind fails, connect is never called', async () => {
    const h = host();
    const l = await listener(h);
    const local = new Set(Object.values(networkInterfaces()).flatMap((x) => (x ?? []).map((a) => a.address)));
    const foreign = ['203.0.113.77', '198.51.100.77'].find((a) => !local.has(a))!;
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: l.port, localAddress: foreign });
    const s = await closedWithError(h, endpointId);
    expect(s.error!.code).toBe('EADDRNOTAVAIL');
    expect(s.attempts[0]!.result).toBe('EADDRNOTAVAIL');
    expect(s.timeline.map((t) => `${t.call} → ${t.result}`)).toEqual([
      'socket(AF_INET, SOCK_STREAM) → ok',
      `bind(${foreign}:0) → EADDRNOTAVAIL`,
      'close() → ok',
    ]);
    expect(h.listener(l.id).clientIds).toEqual([]);
  });

  it('reconnect: same endpoint, new conversation; the old one stays readable', async () => {
    const h = host();
    const { c, client } = await pair(h);
    await h.call('conversation:send', { conversationId: client, data: b64('first') });
    await h.call('tcp:reconnect', { endpointId: c });
    const s = await waitFor(() => {
      const snap = h.connection(c);
      return snap.state === 'established' && snap.conversationId !== client ? snap : undefined;
    }, 'reconnected');
    expect(s.conversationId).toMatch(new RegExp(`^${c}\\.s\\d+$`));
    expect(h.conversation(client).state).toBe('closed');
    expect((await trafficBytes(h, client, 'out')).toString()).toBe('first');
    await h.call('conversation:send', { conversationId: s.conversationId!, data: b64('second') });
    expect((await trafficBytes(h, s.conversationId!, 'out')).toString()).toBe('second');
    expect(s.attempts).toHaveLength(1);
  });

  it('refuses to queue without bound when the peer does not read (backpressure)', async () => {
    const h = host();
    // A peer that accepts but never reads.
    const stalled: Socket[] = [];
    const server = createServer({ pauseOnConnect: true }, (sock) => stalled.push(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    track(() => {
      stalled.forEach((s) => s.destroy());
      server.close();
    });
    const port = (server.address() as { port: number }).port;
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const s = await established(h, endpointId);
    const mib = b64(Buffer.alloc(1024 * 1024, 0x61));
    let refused: string | null = null;
    for (let i = 0; i < 64 && !refused; i++) {
      const r = await h.dispatch('conversation:send', { conversationId: s.conversationId!, data: mib });
      if (!r.ok) refused = `${r.error.code}: ${r.error.message}`;
    }
    expect(refused).toMatch(/^INVALID_STATE: send buffer full, peer is not reading/);
    const conv = h.conversation(s.conversationId!);
    expect(conv.stats.queuedOut).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(conv.stats.bytesOut).toBeLessThan(64 * 1024 * 1024);
    // The peer starts reading: the queue drains.
    await waitFor(() => stalled.length === 1, 'stalled peer');
    stalled[0]!.resume();
    await waitFor(() => h.conversation(s.conversationId!).stats.queuedOut === 0, 'queue drained', 10_000);
  });

  it('rejects invalid input before any endpoint exists', async () => {
    const h = host();
    expect((await h.fail('tcp:connect', { host: '127.0.0.1' })).code).toBe('VALIDATION');
    expect((await h.fail('tcp:connect', { port: 80 })).code).toBe('VALIDATION');
    expect((await h.fail('tcp:connect', { host: '127.0.0.1', port: 70000 })).code).toBe('VALIDATION');
    expect((await h.fail('tcp:connect', { path: '/tmp/x', host: 'a', port: 1 })).code).toBe('VALIDATION');
    expect(h.engine.listEndpoints()).toHaveLength(0);
    // The request is a union (a path, or a host and port): a miss is reported by the closer variant, by field.
    expect(await h.fail('tcp:connect', { host: '127.0.0.1' })).toMatchObject({ issues: [{ path: 'port' }] });
    expect(await h.fail('tcp:connect', { port: 80 })).toMatchObject({ issues: [{ path: 'host' }] });
    expect((await h.fail('tcp:connect', { path: '/tmp/x', host: 'a', port: 1 })).message).toMatch(/Unrecognized keys: "host", "port"/);
    expect((await h.fail('tcp:listen', { path: '/tmp/x', ipv6Only: true })).message).toMatch(/Unrecognized key: "ipv6Only"/);
    expect((await h.fail('tcp:listen', { path: '/tmp/x', port: 1 })).message).toMatch(/Unrecognized key: "port"/);
    expect(h.engine.listEndpoints()).toHaveLength(0);
    expect((await h.fail('tcp:reconnect', { endpointId: 'c99' })).code).toBe('NOT_FOUND');
  });

  it('closing the endpoint while connecting stops the attempt', async () => {
    const h = host();
    const port = await fullQueueListener();
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port, timeoutMs: 10_000 });
    await waitFor(() => h.connection(endpointId).attempts[0]?.result === 'pending', 'attempt in flight');
    await h.call('endpoint:close', { endpointId });
    const s = h.connection(endpointId);
    expect(s.state).toBe('closed');
    expect(s.attempts[0]!.result).toBe('aborted');
    expect(s.error).toBeNull();
  });
});

describe('with external peers (socat, ncat)', () => {
  it('connects to a socat echo server; our FIN ends the echo and the peer closes', async () => {
    const h = host();
    const port = await freePort();
    startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:cat']);
    await waitPort(port);
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port });
    const s = await established(h, endpointId);
    const conv = s.conversationId!;
    const data = Buffer.concat([ALL_BYTES, ALL_BYTES.reverse()]);
    await h.call('conversation:send', { conversationId: conv, data: b64(data) });
    await waitFor(async () => (await trafficBytes(h, conv, 'in')).equals(data), 'echo from socat');
    await h.call('conversation:shutdown', { conversationId: conv });
    await waitFor(() => h.connection(endpointId).state === 'closed', 'socat closed after our FIN');
    expect(h.conversation(conv).firstToClose).toBe('local');
    expect(h.connection(endpointId).error).toBeNull();
  });

  it('accepts a socat client: byte-exact both ways, the peer half-closes first', async () => {
    const h = host();
    const l = await listener(h);
    const peer = startPeer('socat', ['-t', '5', '-', `TCP:127.0.0.1:${l.port}`]);
    const toServer = Buffer.concat(Array.from({ length: 16 }, () => ALL_BYTES));
    peer.stdin.end(toServer);
    const cid = await waitFor(() => h.listener(l.id).clientIds[0], 'socat accepted');
    await waitFor(() => h.conversation(cid).state === 'peer-closed', 'socat half-closed');
    expect((await trafficBytes(h, cid, 'in')).equals(toServer)).toBe(true);
    expect(h.conversation(cid).firstToClose).toBe('peer');
    const toClient = Buffer.concat([ALL_BYTES, Buffer.from('bye\n')]);
    await h.call('conversation:send', { conversationId: cid, data: b64(toClient) });
    await h.call('conversation:shutdown', { conversationId: cid });
    expect(await peer.exit).toBe(0);
    expect(peer.stdout().equals(toClient)).toBe(true);
    await waitFor(() => h.conversation(cid).state === 'closed', 'closed');
  });

  it('accepts an ncat client and talks to an ncat server', async () => {
    const h = host();
    const l = await listener(h, '127.0.0.1', { behaviour: { mode: 'auto-reply', reply: b64('pong\n'), trigger: 'line' } });
    const client = startPeer('ncat', ['127.0.0.1', String(l.port)]);
    client.stdin.write('ping\n');
    await waitFor(() => client.stdout().toString() === 'pong\n', 'ncat got the reply');
    client.stdin.end();
    // ncat half-closes on stdin EOF; an automatic server then closes its side too, and ncat exits.
    expect(await client.exit).toBe(0);
    const cid = h.listener(l.id).clientIds[0]!;
    await waitFor(() => h.conversation(cid).state === 'closed', 'closed');
    expect(h.conversation(cid).firstToClose).toBe('peer');

    const port = await freePort();
    const server = startPeer('ncat', ['-l', '127.0.0.1', String(port)]);
    // `ncat -l` serves a single client, so no probe connection: retry the engine's own connect
    // until ncat is up (each refused attempt is a closed endpoint, removed before the next).
    let endpointId = '';
    await waitFor(async () => {
      if (endpointId) {
        const s = h.connection(endpointId);
        if (s.state === 'established') return true;
        if (s.state !== 'closed') return undefined;
        await h.call('endpoint:remove', { endpointId });
      }
      endpointId = (await h.call('tcp:connect', { host: '127.0.0.1', port })).endpointId;
      return undefined;
    }, 'connected to ncat');
    const conv = h.connection(endpointId).conversationId!;
    await h.call('conversation:send', { conversationId: conv, data: b64(ALL_BYTES) });
    server.stdin.write('from ncat\n');
    await waitFor(async () => (await trafficBytes(h, conv, 'in')).toString() === 'from ncat\n', 'data from ncat');
    await waitFor(() => server.stdout().equals(ALL_BYTES), 'ncat got every byte');
    server.stdin.end();
    await waitFor(() => h.connection(endpointId).state === 'peer-closed', 'ncat half-closed');
  });
});


function startPeer(cmd: string, args: string[]) {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.on('error', () => {});
  child.on('error', () => {});
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timedExit = Promise.race([exit, sleep(8000).then(() => Promise.reject(new Error(`${cmd} did not exit: ${err}`)))]);
  timedExit.catch(() => {});
  track(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, stdin: child.stdin, stdout: () => Buffer.concat(out), stderr: () => err, exit: timedExit };
}

async function waitPort(port: number): Promise<void> {
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = netConnect({ port, host: '127.0.0.1' });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      }),
    `port ${port} listening`,
  );
}

/**
 * A connection to `dual.test`, which "resolves" to ::1 then 127.0.0.1 by default (this machine's
 * hosts file has no such name).
 */
function dualStackConnection(
  h: TestHost,
  port: number,
  extra: Partial<ConnectRequest> = {},
  addresses: ResolvedAddress[] = [
    { address: '::1', family: 'IPv6' },
    { address: '127.0.0.1', family: 'IPv4' },
  ],
): TcpConnection {
  const conn = new TcpConnection(
    h.engine,
    h.engine.nextId('c'),
    { host: 'dual.test', port, ...extra },
    { resolveHost: async (hostName) => ({ host: hostName, literal: false, addresses }) },
  );
  h.engine.addEndpoint(conn);
  conn.start();
  return conn;
}
