import { afterEach, describe, expect, it } from 'vitest';
import { TestHost } from '../testing/test-host';
import { peer } from '../testing/udp-peers';
import { sleep, waitFor } from '../testing/wait';
import { ReceiveBudget } from './udp-receive-budget';
import { UdpTimeline } from './udp-timeline';

describe('ReceiveBudget', () => {
  it('keeps a budget of datagrams per one-second window and counts the rest', () => {
    const b = new ReceiveBudget({ datagrams: 3, bytes: 1_000_000 });
    expect([0, 10, 20, 30, 999].map((t) => b.keep(t, 1))).toEqual([true, true, true, false, false]);
    expect(b.keep(1000, 1)).toBe(true); // a new window
    const tl = new UdpTimeline({ now: () => 0 });
    expect(b.report(tl)).toBe(true);
    expect(tl.entries()).toEqual([expect.objectContaining({ call: 'recvfrom() × 2', ok: false })]);
    expect(tl.entries()[0]?.result).toMatch(/^dropped by Sockscope \(2 bytes\): more than 3 datagrams/);
    expect(b.report(tl)).toBe(false);
  });

  it('bounds bytes too, but always takes the first datagram of a window', () => {
    const b = new ReceiveBudget({ datagrams: 100, bytes: 1000 });
    expect(b.keep(0, 5000)).toBe(true);
    expect(b.keep(1, 1)).toBe(false);
    expect(b.keep(1000, 600)).toBe(true);
    expect(b.keep(1001, 400)).toBe(true);
    expect(b.keep(1002, 1)).toBe(false);
  });

  it('reports replies it refused to queue', () => {
    const b = new ReceiveBudget({ datagrams: 1, bytes: 1 });
    b.replyDropped(7);
    const tl = new UdpTimeline({ now: () => 0 });
    b.report(tl);
    expect(tl.entries()[0]).toMatchObject({ call: 'sendto() × 1', ok: false });
  });
});

describe('an endpoint over its receive budget', () => {
  let t: TestHost;
  afterEach(async () => {
    await t.dispose();
  });

  it('drops (and counts) what is over the budget: not logged, not shown, not answered', async () => {
    t = new TestHost({ udpLimits: { keepPerSecond: { datagrams: 50, bytes: 64 * 1024 * 1024 } } });
    const batches: unknown[] = [];
    t.engine.attachClient({ send: (b) => batches.push(b) });
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } });
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const p = await peer(t);
    // 200 small datagrams within a few milliseconds: one budget window, and they fit the kernel's
    // receive buffer, so all 200 reach the engine.
    for (let i = 0; i < 200; i++) p.socket.send(Buffer.from(`d${i}`), port, '127.0.0.1');
    await waitFor(() => t.udp(s.id).stats.chunksIn === 200, 'all 200 datagrams read', 3000);
    await waitFor(() => p.received.length === 50, 'the 50 echoes', 3000);
    await sleep(50);
    const snap = t.udp(s.id);
    expect(snap.stats).toMatchObject({ chunksIn: 200, dropped: 150, chunksOut: 50 });
    expect(p.received).toHaveLength(50);
    // The first 50 were kept, in order; the rest never reached the log.
    expect(t.traffic(s.id, 'in').map((c) => Buffer.from(c.bytes).toString())).toEqual(Array.from({ length: 50 }, (_, i) => `d${i}`));
    expect(snap.notKept).toEqual({ in: 0, out: 0 });
    await t.call('endpoint:close', { endpointId: s.id });
    expect(t.calls(s.id)).toContain(
      'recvfrom() × 150 → dropped by Sockscope (550 bytes): more than 50 datagrams or 64 MiB arrived within a second; counted, not kept',
    );
  });
});
