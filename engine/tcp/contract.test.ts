/**
 * What the UI receives: snapshots and event batches that match the shared schemas exactly, rates
 * that rise and decay with the engine's tick, bounded traffic with a "not kept" count, and no
 * timers left behind once everything is closed.
 */
import { describe, expect, it } from 'vitest';
import { EngineSnapshot, EventBatch } from '../../shared/contract';
import { ALL_BYTES, b64 } from '../testing/bytes';
import { rawClient } from '../testing/tcp-peers';
import { type TestHost, useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';

const host = useTestHosts();

const tickers = (h: TestHost) => (h.engine as unknown as { tickers: Set<unknown> }).tickers.size;

describe('TCP endpoints through the contract', () => {
  it('snapshots and event batches parse with the shared schemas in every state', async () => {
    const h = host();
    const batches: unknown[] = [];
    const detach = h.engine.attachClient({ send: (b) => batches.push(b) }, { intervalMs: 5 });
    try {
      const { endpointId: lid } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
      const l = h.listener(lid);
      const port = l.local?.kind === 'inet' ? l.local.port : 0;
      await h.call('tcp:listen', { bindAddress: '127.0.0.1', port }); // EADDRINUSE
      await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 'no-such-service-xyz' });
      const { endpointId: cid } = await h.call('tcp:connect', { host: 'localhost', port });
      await h.call('tcp:connect', { host: '127.0.0.1', port: 1 });
      const conv = await waitFor(() => h.connection(cid).conversationId, 'established');
      await h.call('conversation:send', { conversationId: conv, data: b64(ALL_BYTES) });
      await waitFor(() => h.conversation(conv).stats.bytesIn === 256, 'echo');
      await h.call('conversation:shutdown', { conversationId: conv });
      await waitFor(() => h.connection(cid).state === 'closed', 'closed');
      await waitFor(() => batches.length > 0 && h.engine.listEndpoints().every((e) => e.snapshot().state !== 'opening'), 'batches');

      const snap = EngineSnapshot.parse(await h.call('app:snapshot', {}));
      expect(snap.endpoints.map((e) => e.kind)).toEqual(['tcp-listener', 'tcp-listener', 'tcp-listener', 'tcp-connection', 'tcp-connection']);
      expect(snap.conversations).toHaveLength(2);
      expect(snap.recentHosts.tcp).toContain(`localhost:${port}`);
      await new Promise((r) => setTimeout(r, 50));
      for (const b of batches) EventBatch.parse(b);
      const types = new Set(batches.flatMap((b) => (b as { events: { type: string }[] }).events.map((e) => e.type)));
      expect([...types].sort()).toEqual(['conversation:changed', 'endpoint:changed', 'recent-hosts:changed', 'traffic:appended']);
    } finally {
      detach();
    }
  });

  it('rates rise while bytes flow and fall back to 0; closing leaves no ticker behind', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const l = h.listener(endpointId);
    const c = await rawClient(l.local?.kind === 'inet' ? l.local.port : 0);
    const cid = await waitFor(() => h.listener(endpointId).clientIds[0], 'client');
    expect(tickers(h)).toBe(2); // the listener and its client
    c.socket.write(Buffer.alloc(5000));
    await waitFor(() => h.conversation(cid).stats.rateIn === 5000, 'rate over the last second', 3000);
    expect(h.listener(endpointId).stats.rateIn).toBe(5000);
    await waitFor(() => h.conversation(cid).stats.rateIn === 0, 'rate decays', 3000);
    c.socket.destroy();
    // The peer's FIN half-closes; we may still send until we close our side too.
    await waitFor(() => h.conversation(cid).state === 'peer-closed', 'peer FIN');
    expect(tickers(h)).toBe(2);
    await h.call('conversation:shutdown', { conversationId: cid });
    await waitFor(() => h.conversation(cid).state === 'closed', 'client gone');
    await waitFor(() => tickers(h) === 1, "the client's ticker is released once its socket closed");
    await h.call('endpoint:close', { endpointId });
    expect(tickers(h)).toBe(0);
  });

  it('a 4 MiB echo stays byte-exact; the ring keeps the newest 1 MiB and counts the rest', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const l = h.listener(endpointId);
    const c = await rawClient(l.local?.kind === 'inet' ? l.local.port : 0);
    const data = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 0xff;
    c.socket.write(data);
    await waitFor(() => c.received().length >= data.length, 'echo of 4 MiB', 15_000);
    expect(c.received().equals(data)).toBe(true);
    const cid = h.listener(endpointId).clientIds[0]!;
    const conv = h.conversation(cid);
    expect(conv.stats.bytesIn).toBe(data.length);
    expect(conv.stats.bytesOut).toBe(data.length);
    expect(conv.notKept.in).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(conv.notKept.out).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    const page = await h.call('traffic:page', { conversationId: cid, limit: 2000 });
    expect(page.notKept).toEqual(conv.notKept);
  });
});
