import dgram from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { b64 } from '../testing/bytes';
import { TestHost } from '../testing/test-host';
import { closedPort, peer } from '../testing/udp-peers';
import { sleep, waitFor } from '../testing/wait';

let t: TestHost;
beforeEach(() => {
  t = new TestHost();
});
afterEach(async () => {
  await t.dispose();
});

describe('bind', () => {
  it('binds IPv4 loopback on port 0 and shows the kernel’s port, in BSD terms', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    expect(s.state).toBe('bound');
    expect(s.request.type).toBe('udp4');
    expect(s.local).toMatchObject({ kind: 'inet', host: '127.0.0.1', family: 'IPv4' });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    expect(port).toBeGreaterThan(0);
    const calls = t.calls(s.id);
    expect(calls.slice(0, 2)).toEqual(['socket(AF_INET, SOCK_DGRAM) → ok', `bind(127.0.0.1:0) → ok: bound to 127.0.0.1:${port}`]);
    expect(calls[2]).toMatch(/^setsockopt\(SO_RCVBUF, 4194304\) → ok/);
    expect(calls).toHaveLength(3);
    expect(s.error).toBeNull();
    expect(s.portNote).toBeNull();
  });

  it('binds IPv6 ::1 as udp6', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0 });
    expect(s.state).toBe('bound');
    expect(s.request.type).toBe('udp6');
    expect(s.local).toMatchObject({ host: '::1', family: 'IPv6' });
    expect(t.calls(s.id)[0]).toBe('socket(AF_INET6, SOCK_DGRAM) → ok');
  });

  it('binds an IPv4 address on a udp6 socket as its IPv4-mapped form', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0, type: 'udp6' });
    expect(s.state).toBe('bound');
    expect(s.local).toMatchObject({ host: '::ffff:127.0.0.1', family: 'IPv6' });
  });

  it('resolves a UDP service name and notes it (ntp → 123/udp)', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 'ntp' });
    expect(s.portNote).toBe('ntp → 123/udp');
    expect(t.calls(s.id)[0]).toBe('getservbyname("ntp", "udp") → 123');
    // Port 123 is privileged: bound as root, EACCES otherwise; either way the bind used 123.
    if (s.state === 'bound') expect(s.local).toMatchObject({ port: 123 });
    else expect(s.error?.code).toMatch(/^(EACCES|EADDRINUSE)$/);
    expect(t.calls(s.id)).toContain(`bind(127.0.0.1:123) → ${s.state === 'bound' ? 'ok' : s.error?.code}`);
  });

  it('an unknown service name leaves a closed endpoint with the explained error', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 'no-such-service-xyz' });
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EUNKNOWN_SERVICE' });
    expect(s.error?.message).toMatch(/services database/);
    expect(t.calls(s.id)).toContain('getservbyname("no-such-service-xyz", "udp") → EUNKNOWN_SERVICE');
  });

  it('EADDRINUSE still creates the endpoint, closed, with the explanation', async () => {
    const holder = await peer(t, '127.0.0.1');
    const s = await t.bind({ bindAddress: '127.0.0.1', port: holder.port });
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind' });
    expect(s.error?.message).toMatch(/already in use/);
    expect(t.calls(s.id)).toContain(`bind(127.0.0.1:${holder.port}) → EADDRINUSE`);
    // The endpoint is listed and can be removed like any other.
    expect(t.engine.getEndpoint(s.id)).toBeDefined();
    await t.call('endpoint:remove', { endpointId: s.id });
    expect(t.engine.getEndpoint(s.id)).toBeUndefined();
  });

  it('SO_REUSEADDR lets two endpoints share a port', async () => {
    const a = await t.bind({ bindAddress: '127.0.0.1', port: 0, reuseAddr: true });
    const port = a.local?.kind === 'inet' ? a.local.port : 0;
    const b = await t.bind({ bindAddress: '127.0.0.1', port, reuseAddr: true });
    expect(b.state).toBe('bound');
    expect(t.calls(b.id)).toEqual([
      'socket(AF_INET, SOCK_DGRAM) → ok',
      'setsockopt(SO_REUSEADDR, 1) → ok',
      `bind(127.0.0.1:${port}) → ok`,
      expect.stringMatching(/^setsockopt\(SO_RCVBUF, 4194304\) → ok/),
    ]);
  });

  it('explains an unknown IPv6 zone', async () => {
    const s = await t.bind({ bindAddress: 'fe80::1%nosuchif0', port: 0 });
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EUNKNOWN_ZONE' });
    expect(s.error?.message).toMatch(/zone/);
    expect(t.calls(s.id)).toEqual(['if_nametoindex("nosuchif0") → EUNKNOWN_ZONE']);
  });

  it('refuses an IPv6 address on a udp4 socket with an explanation', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0, type: 'udp4' });
    expect(s.state).toBe('closed');
    expect(s.error?.code).toBe('EAFNOSUPPORT');
  });

  it('resolves a host name to bind (localhost) and records getaddrinfo', async () => {
    const s = await t.bind({ bindAddress: 'localhost', port: 0, type: 'udp4' });
    expect(s.state).toBe('bound');
    expect(s.local).toMatchObject({ host: '127.0.0.1' });
    expect(t.calls(s.id)[0]).toMatch(/^getaddrinfo\("localhost"\) → .*127\.0\.0\.1/);
  });

  it('refuses a TCP-only behaviour before creating anything', async () => {
    const e = await t.fail('udp:bind', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'auto-reply', reply: b64('x'), trigger: 'line' } });
    expect(e.code).toBe('VALIDATION');
    expect(t.engine.listEndpoints()).toHaveLength(0);
  });
});

describe('datagrams', () => {
  it('three sends are three datagrams of the right sizes, even back to back', async () => {
    const p = await peer(t);
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const sizes = [1, 1000, 3];
    const results = await Promise.all(
      sizes.map((n, i) => t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64(Buffer.alloc(n, 0x61 + i)) })),
    );
    expect(results).toEqual(sizes.map((bytes) => ({ bytes, to: `127.0.0.1:${p.port}` })));
    await waitFor(() => p.received.length === 3, 'three datagrams at the peer');
    expect(p.received.map((r) => r.data.length)).toEqual(sizes);
    expect(p.received.map((r) => r.data[0])).toEqual([0x61, 0x62, 0x63]);
    const local = t.udp(s.id).local;
    expect(p.received.every((r) => local?.kind === 'inet' && r.from.port === local.port && r.from.address === '127.0.0.1')).toBe(true);
    const out = t.traffic(s.id, 'out');
    expect(out.map((c) => c.bytes.length)).toEqual(sizes);
    expect(out[0]?.peer).toEqual({ kind: 'inet', host: '127.0.0.1', port: p.port, family: 'IPv4' });
    expect(t.calls(s.id)).toContain(`sendto(127.0.0.1:${p.port}, 1 bytes) → ok`);
    const stats = t.udp(s.id).stats;
    expect(stats).toMatchObject({ chunksOut: 3, bytesOut: 1004, dropped: 0 });
  });

  it('an empty datagram does not leave later ones showing overwritten bytes once the log wraps', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const port = (t.udp(s.id).local as { port: number }).port;
    const sender = dgram.createSocket('udp4');
    try {
      const send = (b: Buffer) => new Promise<void>((r, j) => sender.send(b, port, '127.0.0.1', (err) => (err ? j(err) : r())));
      await send(Buffer.alloc(0));
      // 30 × 60,000 bytes: the 1 MiB ring wraps, and the first datagrams' bytes are overwritten.
      for (let i = 1; i <= 30; i++) {
        await send(Buffer.alloc(60_000, i));
        await waitFor(() => t.udp(s.id).stats.chunksIn === i + 1, `datagram ${i}`);
      }
    } finally {
      sender.close();
    }
    const kept = t.traffic(s.id, 'in').filter((c) => c.bytes.length > 0);
    expect(kept.length).toBeGreaterThan(5);
    // Each kept datagram still holds its own bytes (it was filled with its position in the sequence).
    const fills = kept.map((c) => c.bytes[0] as number);
    expect(fills).toEqual([...fills].sort((a, b) => a - b));
    for (const c of kept) expect(c.bytes.every((b) => b === c.bytes[0])).toBe(true);
    expect(fills.at(-1)).toBe(30);
  });

  it('receives each datagram as one chunk with its sender, even back to back', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const p = await peer(t);
    const sizes = [5, 1200, 2];
    // Handed to the kernel without waiting in between: they queue in the receive buffer together.
    for (const n of sizes) p.socket.send(Buffer.alloc(n, 0x7a), port, '127.0.0.1');
    await waitFor(() => t.traffic(s.id, 'in').length === 3, 'three datagrams in');
    const got = t.traffic(s.id, 'in');
    expect(got.map((c) => c.bytes.length)).toEqual(sizes);
    for (const c of got) expect(c.peer).toEqual({ kind: 'inet', host: '127.0.0.1', port: p.port, family: 'IPv4' });
    expect(t.calls(s.id)).toContain(`recvfrom() → 127.0.0.1:${p.port}, 5 bytes`);
    await waitFor(() => t.udp(s.id).stats.chunksIn === 3, 'counters');
    expect(t.udp(s.id).stats).toMatchObject({ chunksIn: 3, bytesIn: 1207, dropped: 0 });
    // The generic traffic page works on the endpoint's id and carries the sender.
    const page = await t.call('traffic:page', { conversationId: s.id, limit: 10 });
    expect(page.chunks.map((c) => [c.dir, c.size, c.peer])).toEqual(
      sizes.map((n) => ['in', n, { kind: 'inet', host: '127.0.0.1', port: p.port, family: 'IPv4' }]),
    );
  });

  it('IPv6: sends to and receives from ::1 with the right addresses', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0 });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const p = await peer(t, '::1');
    await t.call('udp:send', { endpointId: s.id, host: '::1', port: p.port, data: b64('six') });
    await waitFor(() => p.received.length === 1, 'datagram at the IPv6 peer');
    expect(p.received[0]?.from).toMatchObject({ address: '::1', port, family: 'IPv6' });
    await p.send('back', port);
    await waitFor(() => t.traffic(s.id, 'in').length === 1, 'datagram from the IPv6 peer');
    expect(t.traffic(s.id, 'in')[0]?.peer).toEqual({ kind: 'inet', host: '::1', port: p.port, family: 'IPv6' });
    expect(t.calls(s.id)).toContain(`sendto([::1]:${p.port}, 3 bytes) → ok`);
    // Brackets as a person may type them.
    const r = await t.call('udp:send', { endpointId: s.id, host: '[::1]', port: p.port, data: b64('x') });
    expect(r.to).toBe(`[::1]:${p.port}`);
  });

  it('a udp6 socket reaches an IPv4 peer through the IPv4-mapped address', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0, type: 'udp6' });
    const p = await peer(t);
    const r = await t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('mapped') });
    expect(r.to).toBe(`[::ffff:127.0.0.1]:${p.port}`);
    await waitFor(() => p.received.length === 1, 'datagram at the IPv4 peer');
  });

  it('sends and receives empty datagrams', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const p = await peer(t);
    expect(await t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: '' })).toEqual({
      bytes: 0,
      to: `127.0.0.1:${p.port}`,
    });
    await waitFor(() => p.received.length === 1, 'empty datagram at the peer');
    expect(p.received[0]?.data.length).toBe(0);
    await p.send(Buffer.alloc(0), port);
    await waitFor(() => t.traffic(s.id, 'in').length === 1, 'empty datagram in');
    expect(t.traffic(s.id, 'in')[0]?.bytes.length).toBe(0);
    expect(t.udp(s.id).stats).toMatchObject({ chunksIn: 1, bytesIn: 0 });
  });

  it('a 65,507-byte datagram crosses IPv4 loopback whole, both ways', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const p = await peer(t);
    const big = Buffer.alloc(65_507, 0x42);
    big[65_506] = 0x43;
    await t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64(big) });
    await waitFor(() => p.received.length === 1, 'the big datagram at the peer');
    expect(p.received[0]?.data.equals(big)).toBe(true);
    await p.send(big, port);
    await waitFor(() => t.traffic(s.id, 'in').length === 1, 'the big datagram in');
    expect(Buffer.from(t.traffic(s.id, 'in')[0]?.bytes ?? []).equals(big)).toBe(true);
  });

  it('oversize datagrams fail with an explained EMSGSIZE and the endpoint carries on', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const p = await peer(t);
    const e = await t.fail('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64(Buffer.alloc(65_508)) });
    expect(e.message).toMatch(/^EMSGSIZE: /);
    let snap = t.udp(s.id);
    expect(snap.state).toBe('bound');
    expect(snap.error).toMatchObject({ code: 'EMSGSIZE', syscall: 'sendto' });
    expect(snap.error?.message).toMatch(/65,507 bytes over IPv4/);
    expect(t.calls(s.id)).toContain(`sendto(127.0.0.1:${p.port}, 65,508 bytes) → EMSGSIZE`);
    expect(snap.stats.chunksOut).toBe(0);
    // The next good send works and clears the alert.
    await t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('ok') });
    snap = t.udp(s.id);
    expect(snap.error).toBeNull();
    await waitFor(() => p.received.length === 1, 'the good datagram');
  });

  it('IPv6 allows 65,527 bytes and refuses 65,528', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0 });
    const p = await peer(t, '::1');
    await t.call('udp:send', { endpointId: s.id, host: '::1', port: p.port, data: b64(Buffer.alloc(65_527)) });
    await waitFor(() => p.received.length === 1, 'the 65,527-byte datagram');
    expect(p.received[0]?.data.length).toBe(65_527);
    const e = await t.fail('udp:send', { endpointId: s.id, host: '::1', port: p.port, data: b64(Buffer.alloc(65_528)) });
    expect(e.message).toMatch(/^EMSGSIZE/);
    expect(t.udp(s.id).error?.code).toBe('EMSGSIZE');
  });

  it('resolves a destination name and service, and records what it resolved to', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const p = await peer(t);
    const r = await t.call('udp:send', { endpointId: s.id, host: 'localhost', port: p.port, data: b64('hi') });
    expect(r.to).toBe(`127.0.0.1:${p.port}`);
    expect(t.calls(s.id).find((c) => c.startsWith('getaddrinfo("localhost")'))).toMatch(/127\.0\.0\.1/);
    await waitFor(() => p.received.length === 1, 'datagram via localhost');
    // A service name as the remote port (nothing needs to listen: UDP does not care).
    const n = await t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: 'ntp', data: b64('x') });
    expect(n.to).toBe('127.0.0.1:123');
    expect(t.calls(s.id)).toContain('getservbyname("ntp", "udp") → 123');
    expect(t.engine.recentHosts.list('udp')).toContain('127.0.0.1:ntp');
  });

  it('catches Node’s synchronous ERR_SOCKET_BAD_PORT (destination port 0)', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const e = await t.fail('udp:send', { endpointId: s.id, host: '127.0.0.1', port: 0, data: b64('x') });
    expect(e.message).toMatch(/^ERR_SOCKET_BAD_PORT: Invalid port/);
    expect(t.udp(s.id)).toMatchObject({ state: 'bound', error: { code: 'ERR_SOCKET_BAD_PORT' } });
  });

  it('asks for both host and port, or a connected socket', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    expect((await t.fail('udp:send', { endpointId: s.id, host: '127.0.0.1', data: b64('x') })).code).toBe('VALIDATION');
    const e = await t.fail('udp:send', { endpointId: s.id, data: b64('x') });
    expect(e.message).toMatch(/^ERR_SOCKET_DGRAM_NOT_CONNECTED/);
  });

  it('the generic conversation commands point to udp:send', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const e = await t.fail('conversation:send', { conversationId: s.id, data: b64('x') });
    expect(e).toMatchObject({ code: 'INVALID_STATE' });
    expect(e.message).toMatch(/udp:send/);
    expect((await t.fail('conversation:reset', { conversationId: s.id })).message).toMatch(/udp:send/);
  });

  it('a closed endpoint refuses to send; close() is in the timeline', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    await t.call('endpoint:close', { endpointId: s.id });
    expect(t.udp(s.id).state).toBe('closed');
    expect(t.calls(s.id).at(-1)).toBe('close() → ok');
    const e = await t.fail('udp:send', { endpointId: s.id, host: '127.0.0.1', port: 9, data: b64('x') });
    expect(e).toMatchObject({ code: 'INVALID_STATE' });
    await t.call('endpoint:close', { endpointId: s.id }); // idempotent
  });

  it('an endpoint that fails never disturbs another', async () => {
    const a = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const b = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const p = await peer(t);
    await t.fail('udp:send', { endpointId: a.id, host: '127.0.0.1', port: p.port, data: b64(Buffer.alloc(70_000)) });
    await t.call('udp:send', { endpointId: b.id, host: '127.0.0.1', port: p.port, data: b64('fine') });
    await waitFor(() => p.received.length === 1, 'b’s datagram');
    expect(t.udp(b.id).error).toBeNull();
    expect(t.udp(a.id).state).toBe('bound');
  });
});

describe('connect()', () => {
  it('ECONNREFUSED from an ICMP port-unreachable surfaces on a connected socket', async () => {
    const port = await closedPort();
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    await t.call('udp:connect', { endpointId: s.id, host: '127.0.0.1', port });
    expect(t.udp(s.id).connectedTo).toEqual({ kind: 'inet', host: '127.0.0.1', port, family: 'IPv4' });
    expect(t.calls(s.id)).toContain(`connect(127.0.0.1:${port}) → ok`);
    // The first send goes out; the ICMP answer makes the next operation fail with ECONNREFUSED.
    await t.call('udp:send', { endpointId: s.id, data: b64('are you there?') });
    const second = await t.dispatch('udp:send', { endpointId: s.id, data: b64('again') });
    if (!second.ok) expect(second.error.message).toMatch(/^ECONNREFUSED/);
    const snap = await waitFor(() => {
      const x = t.udp(s.id);
      return x.error?.code === 'ECONNREFUSED' && x;
    }, 'ECONNREFUSED in the endpoint');
    expect(snap.error?.message).toMatch(/ICMP port-unreachable/);
    expect(snap.error?.message).toContain(`127.0.0.1:${port}`);
    expect(snap.state).toBe('bound');
    expect(t.calls(s.id).some((c) => /^recvfrom\(\) → ECONNREFUSED$|^send\(\d+ bytes\) → ECONNREFUSED$/.test(c))).toBe(true);
  });

  it('a connected socket sends without an address and refuses other destinations', async () => {
    const p = await peer(t);
    const other = await peer(t);
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    await t.call('udp:connect', { endpointId: s.id, host: 'localhost', port: p.port });
    const r = await t.call('udp:send', { endpointId: s.id, data: b64('to the peer') });
    expect(r).toEqual({ bytes: 11, to: `127.0.0.1:${p.port}` });
    await waitFor(() => p.received.length === 1, 'datagram at the connected peer');
    expect(t.traffic(s.id, 'out')[0]?.peer).toMatchObject({ host: '127.0.0.1', port: p.port });
    expect(t.calls(s.id)).toContain('send(11 bytes) → ok');
    // Naming the connected peer explicitly is fine (e.g. "reply to sender").
    await t.call('udp:send', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('x') });
    const e = await t.fail('udp:send', { endpointId: s.id, host: '127.0.0.1', port: other.port, data: b64('x') });
    expect(e.message).toMatch(/^ERR_SOCKET_DGRAM_IS_CONNECTED/);
    // Only the connected peer's datagrams are received.
    await other.send('ignored', port);
    await p.send('accepted', port);
    await waitFor(() => t.traffic(s.id, 'in').length === 1, 'the peer’s datagram');
    await sleep(50);
    expect(t.traffic(s.id, 'in').map((c) => Buffer.from(c.bytes).toString())).toEqual(['accepted']);
    await t.call('udp:disconnect', { endpointId: s.id });
    expect(t.udp(s.id).connectedTo).toBeNull();
    expect(t.calls(s.id)).toContain('connect(AF_UNSPEC) → ok: peer forgotten');
    expect((await t.fail('udp:disconnect', { endpointId: s.id })).code).toBe('INVALID_STATE');
  });
});

describe('options', () => {
  it('sets broadcast, TTL, multicast TTL and loopback, shown in state and timeline', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    expect(s).toMatchObject({ broadcast: false, ttl: 64, multicastTtl: 1, multicastLoopback: true });
    await t.call('udp:configure', { endpointId: s.id, broadcast: true, ttl: 32, multicastTtl: 4, multicastLoopback: false });
    expect(t.udp(s.id)).toMatchObject({ broadcast: true, ttl: 32, multicastTtl: 4, multicastLoopback: false });
    expect(t.calls(s.id).slice(-4)).toEqual([
      'setsockopt(SO_BROADCAST, 1) → ok',
      'setsockopt(IP_TTL, 32) → ok',
      'setsockopt(IP_MULTICAST_TTL, 4) → ok',
      'setsockopt(IP_MULTICAST_LOOP, 0) → ok',
    ]);
    await t.call('endpoint:close', { endpointId: s.id });
    expect((await t.fail('udp:configure', { endpointId: s.id, broadcast: false })).code).toBe('INVALID_STATE');
    // A behaviour can still be chosen on a closed endpoint (nothing touches the socket).
    await t.call('udp:configure', { endpointId: s.id, behaviour: { mode: 'echo' } });
  });

  it('uses the IPv6 option names on a udp6 socket', async () => {
    const s = await t.bind({ bindAddress: '::1', port: 0 });
    await t.call('udp:configure', { endpointId: s.id, ttl: 9, multicastTtl: 2 });
    expect(t.calls(s.id).slice(-2)).toEqual(['setsockopt(IPV6_UNICAST_HOPS, 9) → ok', 'setsockopt(IPV6_MULTICAST_HOPS, 2) → ok']);
  });

  it('the kernel refuses a broadcast without SO_BROADCAST (EACCES, explained)', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const r = await t.dispatch('udp:send', { endpointId: s.id, host: '255.255.255.255', port: 9, data: b64('x') });
    // Without SO_BROADCAST the kernel refuses before anything is transmitted.
    expect(r.ok).toBe(false);
    expect(t.udp(s.id).error?.code).toBe('EACCES');
    expect(t.udp(s.id).error?.message).toMatch(/broadcast/);
  });
});

it('node dgram sockets are closed by endpoint:remove (the port is free again)', async () => {
  const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
  const port = s.local?.kind === 'inet' ? s.local.port : 0;
  await t.call('endpoint:remove', { endpointId: s.id });
  const again = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    again.once('error', reject);
    again.bind(port, '127.0.0.1', () => resolve());
  });
  await new Promise<void>((resolve) => again.close(() => resolve()));
});
