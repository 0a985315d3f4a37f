import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RepeatSender, type RepeatEnd } from './repeat-sender';
import { b64 } from '../testing/bytes';
import { TestHost } from '../testing/test-host';
import { peer } from '../testing/udp-peers';
import { sleep, waitFor } from '../testing/wait';
import { LISTED_PER_SECOND, UdpTimeline } from './udp-timeline';

describe('repeat send (udp:repeat)', () => {
  let t: TestHost;
  beforeEach(() => {
    t = new TestHost();
  });
  afterEach(async () => {
    await t.dispose();
  });

  it('sends count datagrams at the interval and reports progress', async () => {
    const p = await peer(t);
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    await t.call('udp:repeat', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('tick'), count: 5, intervalMs: 20 });
    expect(t.udp(s.id).repeating).toMatchObject({ total: 5 });
    const mid = await waitFor(() => {
      const r = t.udp(s.id).repeating;
      return r && r.sent > 0 && r.sent < 5 && r;
    }, 'progress between 1 and 4', 2000);
    expect(mid.total).toBe(5);
    await waitFor(() => t.udp(s.id).repeating === null, 'the repeat to finish', 3000);
    await waitFor(() => p.received.length === 5, 'five datagrams', 2000);
    expect(p.received.every((r) => r.data.toString() === 'tick')).toBe(true);
    expect(t.udp(s.id).stats.chunksOut).toBe(5);
    const calls = t.calls(s.id);
    expect(calls).toContain(`repeat 5 × sendto(127.0.0.1:${p.port}, 4 bytes), every 20 ms → started`);
    expect(calls).toContain('repeat → done: 5 of 5 sent');
  });

  it('udp:stop-repeat stops at once', async () => {
    const p = await peer(t);
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    await t.call('udp:repeat', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('x'), count: 1000, intervalMs: 30 });
    const again = await t.fail('udp:repeat', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('x'), count: 2, intervalMs: 0 });
    expect(again.code).toBe('INVALID_STATE');
    await waitFor(() => p.received.length >= 2, 'two datagrams', 2000);
    await t.call('udp:stop-repeat', { endpointId: s.id });
    expect(t.udp(s.id).repeating).toBeNull();
    const sentAtStop = t.udp(s.id).stats.chunksOut;
    await sleep(150);
    expect(t.udp(s.id).stats.chunksOut).toBe(sentAtStop);
    expect(p.received.length).toBe(sentAtStop);
    expect(t.calls(s.id).at(-1)).toBe(`repeat → stopped: ${sentAtStop} of 1,000 sent`);
    expect((await t.fail('udp:stop-repeat', { endpointId: s.id })).code).toBe('INVALID_STATE');
  });

  it('closing the endpoint stops a repeat', async () => {
    const p = await peer(t);
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    await t.call('udp:repeat', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('x'), count: 1000, intervalMs: 10 });
    await waitFor(() => p.received.length >= 1, 'a datagram', 2000);
    await t.call('endpoint:close', { endpointId: s.id });
    const snap = t.udp(s.id);
    expect(snap.repeating).toBeNull();
    expect(snap.state).toBe('closed');
    // A datagram sent just before the close may still be on its way to the peer's socket: let it land.
    await sleep(50);
    const n = p.received.length;
    await sleep(150);
    expect(p.received.length).toBe(n);
  });

  it('back to back (interval 0): every datagram goes out, the timeline stays short', async () => {
    const p = await peer(t);
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    await t.call('udp:repeat', { endpointId: s.id, host: '127.0.0.1', port: p.port, data: b64('0123456789'), count: 20_000, intervalMs: 0 });
    await waitFor(() => t.udp(s.id).repeating === null, 'the repeat to finish', 15_000);
    const snap = t.udp(s.id);
    expect(snap.stats.chunksOut).toBe(20_000);
    expect(snap.stats.bytesOut).toBe(200_000);
    expect(snap.error).toBeNull();
    // Per-datagram calls are listed a few per second, the rest summarised.
    await t.call('endpoint:close', { endpointId: s.id });
    const calls = t.calls(s.id);
    expect(calls.length).toBeLessThan(100);
    const listed = calls.filter((c) => c.startsWith('sendto(') && !c.includes(' × ')).length;
    const summarised = calls
      .filter((c) => c.startsWith('sendto() × '))
      .map((c) => Number(/× ([\d,]+)/.exec(c)?.[1]?.replace(/,/g, '')))
      .reduce((a, b) => a + b, 0);
    expect(listed + summarised).toBe(20_000);
    // The log is bounded; what it could not keep is counted.
    const out = t.traffic(s.id, 'out');
    expect(out.length * 10 + snap.notKept.out).toBe(200_000);
  });

  it('a repeat to a connected peer that refuses stops with the explained error', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const gone = await peer(t);
    const port = gone.port;
    await gone.close();
    await t.call('udp:connect', { endpointId: s.id, host: '127.0.0.1', port });
    await t.call('udp:repeat', { endpointId: s.id, data: b64('x'), count: 100, intervalMs: 5 });
    await waitFor(() => t.udp(s.id).repeating === null, 'the repeat to stop', 3000);
    const snap = t.udp(s.id);
    expect(snap.error?.code).toBe('ECONNREFUSED');
    expect(snap.stats.chunksOut).toBeLessThan(100);
    expect(t.calls(s.id).some((c) => /^repeat → stopped by ECONNREFUSED after \d+ of 100 sent$/.test(c))).toBe(true);
  });

  it('refuses an oversize repeat up front', async () => {
    const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
    const e = await t.fail('udp:repeat', { endpointId: s.id, host: '127.0.0.1', port: 9, data: b64(Buffer.alloc(66_000)), count: 3, intervalMs: 0 });
    expect(e.message).toMatch(/^EMSGSIZE/);
    expect(t.udp(s.id).repeating).toBeNull();
  });
});

describe('RepeatSender', () => {
  it('keeps one datagram in flight and waits while the queue is full', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let full = true;
    let sent = 0;
    const end = await new Promise<RepeatEnd>((resolve) => {
      const r = new RepeatSender({
        total: 50,
        intervalMs: 0,
        sendOne: async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await sleep(1);
          inFlight--;
          sent++;
        },
        canSend: () => !full,
        onProgress: () => {},
        onEnd: resolve,
      });
      r.start();
      setTimeout(() => {
        expect(sent).toBe(0); // paced while "full"
        full = false;
      }, 30);
    });
    expect(end).toEqual({ reason: 'done', sent: 50, total: 50 });
    expect(maxInFlight).toBe(1);
  });

  it('a synchronous throw or a rejection ends the run as failed', async () => {
    const boom = new Error('boom');
    const end = await new Promise<RepeatEnd>((resolve) => {
      let n = 0;
      new RepeatSender({
        total: 10,
        intervalMs: 1,
        sendOne: () => (++n === 3 ? Promise.reject(boom) : Promise.resolve()),
        canSend: () => true,
        onProgress: () => {},
        onEnd: resolve,
      }).start();
    });
    expect(end).toEqual({ reason: 'failed', sent: 2, total: 10, error: boom });
  });
});

describe('UdpTimeline', () => {
  it('lists a few datagrams per second and summarises the rest', () => {
    let now = 1_000;
    const tl = new UdpTimeline({ now: () => now });
    tl.add('socket(AF_INET, SOCK_DGRAM)');
    for (let i = 0; i < 1000; i++) tl.frequent('recvfrom', 'recvfrom()', `127.0.0.1:5000, ${i} bytes`, 10);
    expect(tl.entries()).toHaveLength(1 + LISTED_PER_SECOND);
    now += 1000;
    expect(tl.flush()).toBe(true);
    const last = tl.entries().at(-1);
    expect(last).toMatchObject({ call: 'recvfrom() × 990', result: expect.stringMatching(/^990 more datagrams \(9,900 bytes\)/) });
    expect(tl.flush()).toBe(false);
  });

  it('stays bounded however long it runs', () => {
    let now = 0;
    const tl = new UdpTimeline({ now: () => now });
    for (let i = 0; i < 5000; i++) {
      now += 1000;
      tl.frequent('sendto', `sendto(127.0.0.1:9, ${i} bytes)`, 'ok', i);
    }
    const entries = tl.entries();
    expect(entries.length).toBeLessThanOrEqual(501);
    expect(entries.some((e) => /earlier calls? not kept/.test(e.call))).toBe(true);
    expect(entries.at(-1)?.call).toBe('sendto(127.0.0.1:9, 4999 bytes)');
  });
});
