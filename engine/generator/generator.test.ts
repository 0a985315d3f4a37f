/**
 * The traffic generator against real peers: socat echo (TCP) and a socat datagram sink, a rate held,
 * a count reached, a peer that does not read (backpressure: memory stays bounded), and Stop at full
 * rate answered within 200 ms with nothing sent after it.
 */
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EventBatch } from '../../shared/contract';
import type { GeneratorSnapshot } from '../../shared/generator';
import { track } from '../testing/cleanup';
import { freePort } from '../testing/tcp-peers';
import { type TestHost, useTestHosts } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';
import { startPeer, tcpReady } from '../testing/script-test-helpers';
import { HIGH_WATER } from './generator';

const newHost = useTestHosts();

/** The generator's last `generator:changed` snapshot, as a UI receives it. */
function watchGenerators(h: TestHost): Map<string, GeneratorSnapshot> {
  const seen = new Map<string, GeneratorSnapshot>();
  const detach = h.engine.attachClient({
    send: (b) => {
      for (const e of EventBatch.parse(b).events) if (e.type === 'generator:changed') seen.set(e.generator.id, e.generator);
    },
  });
  track(detach);
  return seen;
}

/** A TCP sink on loopback that counts what it reads (or, paused, reads nothing). */
async function sink(opts: { paused?: boolean } = {}): Promise<{ port: number; received: () => number; sockets: Socket[] }> {
  let received = 0;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    if (opts.paused) s.pause();
    s.on('data', (d: Buffer) => (received += d.length));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  track(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const a = server.address();
  return { port: typeof a === 'object' && a ? a.port : 0, received: () => received, sockets };
}

describe('traffic generator', () => {
  it('sends a count of messages with {{counter}} over a connection to socat, in order', async () => {
    const h = newHost();
    const port = await freePort();
    await startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE'], tcpReady(port));
    const seen = watchGenerators(h);
    const { generatorId } = await h.call('generator:start', {
      target: { connect: { host: '127.0.0.1', port }, connections: 1 },
      payload: { text: 'm{{counter}}\n' },
      count: 500,
    });
    const g = await waitFor(() => (seen.get(generatorId)?.state === 'done' ? seen.get(generatorId) : null), 'the generator to finish');
    expect(g?.messages).toBe(500);
    const conv = h.connection(g?.endpointIds[0] as string).conversationId as string;
    await waitFor(() => h.conversation(conv).stats.bytesIn === g?.bytes, 'socat to echo everything');
    const lines = Buffer.concat((await h.call('traffic:page', { conversationId: conv, limit: 2000, full: true })).chunks.filter((c) => c.dir === 'in').map((c) => Buffer.from(c.data, 'base64'))).toString().trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['m1', 'm2', 'm3']);
    expect(lines.at(-1)).toBe('m500');
  });

  it('holds a message rate (200/s for 1 s ≈ 200 messages) over 3 connections', async () => {
    const h = newHost();
    const peer = await sink();
    const seen = watchGenerators(h);
    const { generatorId } = await h.call('generator:start', {
      target: { connect: { host: '127.0.0.1', port: peer.port }, connections: 3 },
      payload: { random: 100 },
      rate: { messagesPerSecond: 200 },
      durationMs: 1000,
    });
    const g = await waitFor(() => (seen.get(generatorId)?.state === 'done' ? seen.get(generatorId) : null), 'the generator to finish');
    expect(g?.targets).toBe(3);
    // The bucket starts empty and allows a 0.1 s burst: 180–225 in one second.
    expect(g?.messages).toBeGreaterThanOrEqual(180);
    expect(g?.messages).toBeLessThanOrEqual(225);
    await waitFor(() => peer.received() === g?.bytes, 'the sink to read everything');
  });

  it('a peer that never reads: the generator waits (bounded queue) instead of growing memory', async () => {
    const h = newHost();
    const peer = await sink({ paused: true });
    const seen = watchGenerators(h);
    const { endpointId } = await h.call('tcp:connect', { host: '127.0.0.1', port: peer.port });
    const conv = await waitFor(() => h.connection(endpointId).conversationId, 'connected');
    const { generatorId } = await h.call('generator:start', { target: { conversationId: conv }, payload: { random: 16 * 1024 }, durationMs: 1500 });
    await sleep(1000);
    const queued = h.conversation(conv).stats.queuedOut;
    expect(queued).toBeLessThanOrEqual(HIGH_WATER + 16 * 1024);
    const g = await waitFor(() => (seen.get(generatorId)?.state === 'done' ? seen.get(generatorId) : null), 'the generator to finish');
    expect(g?.blockedMs).toBeGreaterThan(500);
    // What was sent is what the kernel buffers plus at most the high-water mark.
    expect(g?.bytes).toBeLessThan(32 * 1024 * 1024);
  });

  it('Stop at full rate answers within 200 ms and nothing is sent after it', async () => {
    const h = newHost();
    const peer = await sink();
    const seen = watchGenerators(h);
    const { generatorId } = await h.call('generator:start', {
      target: { connect: { host: '127.0.0.1', port: peer.port }, connections: 2 },
      payload: { text: 'x'.repeat(1024) },
      durationMs: 60_000,
    });
    await waitFor(() => (seen.get(generatorId)?.messages ?? 0) > 1000, 'the generator to be busy');
    const t = performance.now();
    const stopped = await h.call('generator:stop', { generatorId });
    const took = performance.now() - t;
    expect(took).toBeLessThan(200);
    expect(stopped.state).toBe('stopped');
    expect(stopped.messages).toBeGreaterThan(1000);
    const endpoints = stopped.endpointIds;
    const sentAtStop = endpoints.reduce((n, id) => n + h.conversation(h.connection(id).conversationId as string).stats.bytesOut, 0);
    expect(sentAtStop).toBe(stopped.bytes);
    await sleep(100);
    const later = endpoints.reduce((n, id) => n + h.conversation(h.connection(id).conversationId as string).stats.bytesOut, 0);
    expect(later).toBe(sentAtStop);
  });

  it('datagrams to a UDP peer at a byte rate, and to every client of a listener', async () => {
    const h = newHost();
    const udpPort = await freePort();
    await startPeer('socat', ['-u', `UDP4-RECV:${udpPort},bind=127.0.0.1`, 'OPEN:/dev/null'], async () => true);
    await sleep(100);
    const seen = watchGenerators(h);
    const { endpointId } = await h.call('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    const udp = await h.call('generator:start', {
      target: { udpEndpointId: endpointId, host: '127.0.0.1', port: udpPort },
      payload: { random: 1000 },
      rate: { bytesPerSecond: 50_000 },
      durationMs: 1000,
    });
    const u = await waitFor(() => (seen.get(udp.generatorId)?.state === 'done' ? seen.get(udp.generatorId) : null), 'the UDP generator to finish');
    expect(u?.messages).toBeGreaterThanOrEqual(40);
    expect(u?.messages).toBeLessThanOrEqual(60);

    const { endpointId: listenerId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const local = h.listener(listenerId).local;
    const lport = local?.kind === 'inet' ? local.port : 0;
    const clients = await Promise.all([0, 1].map(() => rawCounter(lport)));
    await waitFor(() => h.listener(listenerId).clientIds.length === 2, 'two clients');
    const all = await h.call('generator:start', { target: { listenerId }, payload: { text: 'hi\n' }, count: 100 });
    const a = await waitFor(() => (seen.get(all.generatorId)?.state === 'done' ? seen.get(all.generatorId) : null), 'the listener generator to finish');
    expect(a?.messages).toBe(100);
    await waitFor(() => clients.reduce((n, c) => n + c.received(), 0) === 300, 'both clients to receive 100 lines between them');
  });

  it('a generator to a listener ends (failed, saying why) when the listener closes', async () => {
    const h = newHost();
    const seen = watchGenerators(h);
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const { generatorId } = await h.call('generator:start', { target: { listenerId: endpointId }, payload: { text: 'x' }, durationMs: 60_000 });
    await h.call('endpoint:close', { endpointId });
    const g = await waitFor(() => (seen.get(generatorId)?.state === 'failed' ? seen.get(generatorId) : null), 'the generator to end', 2000);
    expect(g?.error).toBe('the listener closed');
  });

  it('refuses what would be unbounded or malformed', async () => {
    const h = newHost();
    const noBound = await h.fail('generator:start', { target: { listenerId: 'l1' }, payload: { text: 'x' } } as never);
    expect(noBound.code).toBe('VALIDATION');
    expect(noBound.message).toContain('give a count, a duration, or both');
    const badMacro = await h.fail('generator:start', { target: { listenerId: 'l1' }, payload: { text: '{{nope}}' }, count: 1 });
    expect(badMacro.code).toBe('VALIDATION');
    expect(badMacro.message).toContain('unknown macro');
  });
});

async function rawCounter(port: number): Promise<{ received: () => number }> {
  const { connect } = await import('node:net');
  let n = 0;
  const s = connect({ port, host: '127.0.0.1' });
  s.on('data', (d: Buffer) => (n += d.length));
  s.on('error', () => undefined);
  track(() => {
    s.destroy();
  });
  await new Promise<void>((r) => s.once('connect', () => r()));
  return { received: () => n };
}
