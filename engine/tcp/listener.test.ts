import { describe, expect, it } from 'vitest';
import { networkInterfaces } from 'node:os';
import { formatSockAddr } from '../../shared/primitives';
import { ALL_BYTES, b64 } from '../testing/bytes';
import { expectTimelineCalls, nodeListener, rawClient, runListenAsNobody, trafficBytes } from '../testing/tcp-peers';
import { type TestHost, useTestHosts } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

const host = useTestHosts();

async function listen(h: TestHost, req: Parameters<TestHost['call']>[1] = {}) {
  const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, ...(req as object) });
  const s = h.listener(endpointId);
  if (s.state !== 'listening') throw new Error(`not listening: ${JSON.stringify(s.error)}`);
  const port = s.local?.kind === 'inet' ? s.local.port : 0;
  return { id: endpointId, port };
}

describe('tcp:listen', () => {
  it('binds port 0, shows the port the kernel chose and the BSD calls Node made', async () => {
    const h = host();
    const { id, port } = await listen(h);
    const s = h.listener(id);
    expect(port).toBeGreaterThan(0);
    expect(formatSockAddr(s.local!)).toBe(`127.0.0.1:${port}`);
    expect(s.request).toMatchObject({ bindAddress: '127.0.0.1', port: 0, backlog: 511, ipv6Only: false });
    expect(s.portNote).toBeNull();
    expectTimelineCalls(
      s.timeline.map((t) => t.call),
      ['socket(AF_INET, SOCK_STREAM)', 'setsockopt(SO_REUSEADDR, 1)', `bind(127.0.0.1:0)`, 'listen(511)'],
    );
    expect(s.timeline.every((t) => t.ok)).toBe(true);
  });

  it('accepts 50 clients, each its own conversation with byte-exact echo', async () => {
    const h = host();
    const { id, port } = await listen(h, { behaviour: { mode: 'echo' }, backlog: 128 });
    const clients = await Promise.all(Array.from({ length: 50 }, () => rawClient(port)));
    const messages = clients.map((_, i) => Buffer.concat([Buffer.from(`client ${i}:`), ALL_BYTES]));
    clients.forEach((c, i) => c.socket.write(messages[i]!));
    await waitFor(() => clients.every((c, i) => c.received().equals(messages[i]!)), 'every echo');
    const s = h.listener(id);
    expect(s.clientIds).toHaveLength(50);
    expect(new Set(s.clientIds).size).toBe(50);
    expect(s.clientIds.every((cid) => cid.startsWith(`${id}.c`))).toBe(true);
    expect(s.acceptedTotal).toBe(50);
    const total = messages.reduce((n, m) => n + m.length, 0);
    await waitFor(() => h.listener(id).stats.bytesIn === total && h.listener(id).stats.bytesOut === total, 'listener totals');
    // Each client's conversation knows its peer, its local side and its bytes.
    const c0 = h.conversation(s.clientIds[0]!);
    expect(c0).toMatchObject({ role: 'accepted', state: 'established', endpointId: id });
    expect(c0.local).toMatchObject({ kind: 'inet', host: '127.0.0.1', port });
    expect(c0.remote).toMatchObject({ kind: 'inet', host: '127.0.0.1' });
    const accepts = s.timeline.filter((t) => t.call === 'accept()');
    expect(accepts).toHaveLength(50);
    expect(accepts[0]!.result).toMatch(/^127\.0\.0\.1:\d+ \(l\d+\.c\d+\)$/);
  });

  it('refuses clients beyond maxClients and counts them', async () => {
    const h = host();
    const { id, port } = await listen(h, { maxClients: 2 });
    const a = await rawClient(port);
    const b = await rawClient(port);
    await waitFor(() => h.listener(id).clientIds.length === 2, 'two clients');
    const c = await rawClient(port);
    await Promise.race([c.ended, sleep(3000).then(() => Promise.reject(new Error('refused client was not closed')))]);
    const s = h.listener(id);
    expect(s.refused).toBe(1);
    expect(s.clientIds).toHaveLength(2);
    expect(s.timeline.some((t) => t.call === 'close()' && t.result.includes('refused'))).toBe(true);
    // Raised live: the next client gets in.
    await h.call('listener:configure', { endpointId: id, maxClients: 3 });
    await rawClient(port);
    await waitFor(() => h.listener(id).clientIds.length === 3, 'third client');
    expect(h.listener(id).maxClients).toBe(3);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('banner, auto-reply per line with close (whois-style), discard, and live switching', async () => {
    const h = host();
    const reply = b64('% whois reply\r\n');
    const { id, port } = await listen(h, {
      behaviour: { mode: 'auto-reply', reply, trigger: 'line', closeAfterReply: true, banner: b64('hello\r\n') },
    });
    const c = await rawClient(port);
    await waitFor(() => c.received().toString() === 'hello\r\n', 'banner');
    // The question arrives in pieces: no reply until the line is complete.
    c.socket.write('example');
    await sleep(100);
    expect(c.received().toString()).toBe('hello\r\n');
    c.socket.write('.com\r\n');
    await Promise.race([c.ended, sleep(3000).then(() => Promise.reject(new Error('server did not close after its reply')))]);
    expect(c.received().toString()).toBe('hello\r\n% whois reply\r\n');
    const conv = h.conversation(h.listener(id).clientIds[0]!);
    expect(conv.firstToClose).toBe('local');
    expect(['local-closed', 'closed']).toContain(conv.state);

    // Switch live to auto-reply per chunk without banner, then discard, then echo.
    await h.call('listener:configure', { endpointId: id, behaviour: { mode: 'auto-reply', reply: b64('ok\n') } });
    const d = await rawClient(port);
    d.socket.write('a');
    await waitFor(() => d.received().toString() === 'ok\n', 'per-chunk reply');
    await h.call('listener:configure', { endpointId: id, behaviour: { mode: 'discard' } });
    d.socket.write('b');
    const dConv = h.listener(id).clientIds[1]!;
    await waitFor(() => h.conversation(dConv).stats.bytesIn === 2, 'discarded bytes counted');
    await sleep(50);
    expect(d.received().toString()).toBe('ok\n');
    await h.call('listener:configure', { endpointId: id, behaviour: { mode: 'echo' } });
    d.socket.write('xyz');
    await waitFor(() => d.received().toString() === 'ok\nxyz', 'echo after switch');
    expect(h.listener(id).behaviour).toEqual({ mode: 'echo' });
  });

  it('rejects auto-reply without a reply as invalid input', async () => {
    const h = host();
    const err = await h.fail('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'auto-reply' } });
    expect(err.code).toBe('VALIDATION');
    expect(h.engine.listEndpoints()).toHaveLength(0);
  });

  it('broadcasts, closes all clients, and stops accepting while keeping clients', async () => {
    const h = host();
    const { id, port } = await listen(h);
    const clients = await Promise.all([rawClient(port), rawClient(port), rawClient(port)]);
    await waitFor(() => h.listener(id).clientIds.length === 3, 'three clients');
    expect(await h.call('listener:broadcast', { endpointId: id, data: b64(ALL_BYTES) })).toEqual({ clients: 3 });
    await waitFor(() => clients.every((c) => c.received().equals(ALL_BYTES)), 'broadcast received');

    await h.call('listener:stop-accepting', { endpointId: id });
    expect(h.listener(id).state).toBe('not-accepting');
    await expect(rawClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Clients are kept and still talk.
    clients[0]!.socket.write('still here');
    const c0 = h.listener(id).clientIds[0]!;
    await waitFor(async () => (await trafficBytes(h, c0, 'in')).toString() === 'still here', 'data after stop-accepting');
    expect((await h.fail('listener:stop-accepting', { endpointId: id })).code).toBe('INVALID_STATE');

    expect(await h.call('listener:close-clients', { endpointId: id })).toEqual({ clients: 3 });
    await Promise.all(clients.map((c) => c.ended));
    await waitFor(() => h.listener(id).clientIds.every((cid) => h.conversation(cid).state === 'closed'), 'clients closed');
    expect(h.conversation(c0).firstToClose).toBe('local');
  });

  it('closing the endpoint closes the listening socket and every client', async () => {
    const h = host();
    const { id, port } = await listen(h);
    const c = await rawClient(port);
    await waitFor(() => h.listener(id).clientIds.length === 1, 'client');
    await h.call('endpoint:close', { endpointId: id });
    await c.ended;
    const s = h.listener(id);
    expect(s.state).toBe('closed');
    expect(h.conversation(s.clientIds[0]!).state).toBe('closed');
    await expect(rawClient(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // The conversation stays readable until the endpoint is removed.
    await h.call('endpoint:remove', { endpointId: id });
    expect(h.engine.listEndpoints()).toHaveLength(0);
  });

  it('listens on ::1, and on :: with IPv6-only', async () => {
    const h = host();
    const { id, port } = await listen(h, { bindAddress: '::1' });
    expect(formatSockAddr(h.listener(id).local!)).toBe(`[::1]:${port}`);
    expectTimelineCalls(
      h.listener(id).timeline.map((t) => t.call),
      ['socket(AF_INET6, SOCK_STREAM)', 'setsockopt(SO_REUSEADDR, 1)', 'setsockopt(IPV6_V6ONLY, 0)', 'bind([::1]:0)', 'listen(511)'],
    );
    const c = await rawClient(port, '::1');
    c.socket.write(ALL_BYTES);
    await waitFor(() => h.listener(id).clientIds.length === 1, 'client');
    const cid = h.listener(id).clientIds[0]!;
    await waitFor(async () => (await trafficBytes(h, cid, 'in')).equals(ALL_BYTES), 'bytes over ::1');
    expect(h.conversation(cid).remote).toMatchObject({ host: '::1', family: 'IPv6' });

    const v6only = await h.call('tcp:listen', { bindAddress: '::', port: 0, ipv6Only: true });
    const s = h.listener(v6only.endpointId);
    expect(s.state).toBe('listening');
    expect(s.request.ipv6Only).toBe(true);
    expect(s.timeline.map((t) => t.call)).toContain('setsockopt(IPV6_V6ONLY, 1)');
    const p6 = s.local?.kind === 'inet' ? s.local.port : 0;
    // IPv6-only: an IPv4 client to the same port is refused (nothing listens on 0.0.0.0:p6).
    await expect(rawClient(p6, '127.0.0.1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await rawClient(p6, '::1');
  });

  it('resolves service names (whois → 43/tcp) and shows the note; unknown names fail the endpoint', async () => {
    const h = host();
    // A service with a port above 1024 so it binds without privileges; pick one that is free.
    const candidates = ['postgresql', 'mysql', 'redis', 'amqp', 'http-alt', 'x11', 'openvpn', 'socks'];
    const { resolvePortSpec } = await import('../net/resolve-port');
    let bound: { name: string; port: number } | null = null;
    for (const name of candidates) {
      const { port } = await resolvePortSpec(name, 'tcp');
      const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: name });
      const s = h.listener(endpointId);
      if (s.state === 'listening') {
        expect(s.portNote).toBe(`${name} → ${port}/tcp`);
        expect(s.local).toMatchObject({ port });
        expect(s.request.port).toBe(name);
        bound = { name, port };
        break;
      }
      expect(s.error?.code).toBe('EADDRINUSE');
    }
    expect(bound, 'one of the candidate services could be bound').not.toBeNull();

    const whois = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 'whois' });
    const w = h.listener(whois.endpointId);
    expect(w.portNote).toBe('whois → 43/tcp');
    if (process.getuid?.() === 0) {
      expect(w.state === 'listening' || w.error?.code === 'EADDRINUSE').toBe(true);
    } else {
      expect(w.error?.code).toBe('EACCES');
    }

    const unknown = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 'no-such-service-xyz' });
    const u = h.listener(unknown.endpointId);
    expect(u.state).toBe('closed');
    expect(u.error?.code).toBe('EUNKNOWN_SERVICE');
    expect(u.error?.message).toMatch(/services database/);
  });
});

describe('tcp:listen failures leave an endpoint in state closed with the error explained', () => {
  it('EADDRINUSE: says who holds the port (from the OS table) and suggests port 0; bind fails, listen() is never called', async () => {
    const h = host();
    // A foreign process (not one of the engine's endpoints) holds the port.
    const foreign = await nodeListener();
    const other = await listen(h);
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: foreign.port });
    const s = await waitFor(() => {
      const snap = h.listener(endpointId);
      return snap.error?.detail ? snap : undefined;
    }, 'holder in the explanation');
    const held = `held by node (pid ${foreign.pid})`;
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EADDRINUSE', syscall: 'bind', detail: held });
    expect(s.error!.message).toContain(`127.0.0.1:${foreign.port}`);
    expect(s.error!.message).toContain(held);
    expect(s.error!.message).toMatch(/port 0/);
    const calls = s.timeline.map((t) => `${t.call} → ${t.result}`);
    expect(calls).toContain(`bind(127.0.0.1:${foreign.port}) → EADDRINUSE`);
    expect(s.timeline.some((t) => t.call.startsWith('listen('))).toBe(false);
    expect(calls.at(-1)).toBe('close() → ok');
    // One endpoint's failure never touches another.
    expect(h.listener(other.id).state).toBe('listening');
    const c = await rawClient(other.port);
    c.socket.destroy();
  });

  it('EADDRINUSE on a port held by one of our own listeners names that listener', async () => {
    const h = host();
    const first = await listen(h);
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: first.port });
    const s = await waitFor(() => {
      const snap = h.listener(endpointId);
      return snap.error?.detail ? snap : undefined;
    }, 'own holder');
    expect(s.error).toMatchObject({ code: 'EADDRINUSE', detail: `held by Sockscope's own listener ${first.id}` });
  });

  it('EADDRNOTAVAIL: an address that is not on this machine', async () => {
    const h = host();
    const local = new Set(Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address)));
    const foreign = ['203.0.113.77', '198.51.100.77'].find((a) => !local.has(a))!;
    const { endpointId } = await h.call('tcp:listen', { bindAddress: foreign, port: 0 });
    const s = h.listener(endpointId);
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EADDRNOTAVAIL', syscall: 'bind' });
    expect(s.error!.message).toMatch(/does not belong to any interface/);
  });

  it('EACCES: ports below 1024 need privileges (checked as an unprivileged user)', async () => {
    // As root, bind(80) would succeed; the check runs the real engine in a child process as
    // `nobody` (setpriv) so the kernel itself refuses, exactly as it does for a normal user.
    const s = await runListenAsNobody({ bindAddress: '127.0.0.1', port: 80 });
    expect(s.state).toBe('closed');
    expect(s.error).toMatchObject({ code: 'EACCES', syscall: 'bind' });
    expect(s.error!.message).toMatch(/below 1024/);
    expect(s.error!.message).toMatch(/cap_net_bind_service/);
  });

  it('a host name as bind address is resolved first and shown', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: 'localhost', port: 0 });
    const s = h.listener(endpointId);
    expect(s.state).toBe('listening');
    expect(s.timeline[0]!.call).toBe('getaddrinfo("localhost")');
    expect(s.timeline[0]!.result).toContain(s.local?.kind === 'inet' ? s.local.host : '?');
  });

  it('two listeners side by side: a reset on one never touches the other', async () => {
    const h = host();
    const a = await listen(h, { behaviour: { mode: 'echo' } });
    const b = await listen(h, { behaviour: { mode: 'discard' } });
    const ca = await rawClient(a.port);
    const cb = await rawClient(b.port);
    ca.socket.write('to-a');
    cb.socket.write('to-b');
    await waitFor(() => ca.received().toString() === 'to-a', 'echo on a');
    await sleep(50);
    expect(cb.received().length).toBe(0);
    // Reset b's client: a is untouched.
    const bc = h.listener(b.id).clientIds[0]!;
    await waitFor(() => h.conversation(bc).stats.bytesIn === 4, 'b got its bytes');
    await h.call('conversation:reset', { conversationId: bc });
    await cb.closed;
    expect(cb.error?.code).toBe('ECONNRESET');
    expect(h.conversation(bc).firstToClose).toBe('local-reset');
    expect(h.listener(b.id).timeline.map((t) => t.call)).toContain(`[${bc}] setsockopt(SO_LINGER, {on, 0})`);
    ca.socket.write('again');
    await waitFor(() => ca.received().toString() === 'to-aagain', 'a still echoes');
    expect(h.listener(a.id).state).toBe('listening');
  });
});
