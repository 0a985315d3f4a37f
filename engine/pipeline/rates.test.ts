/**
 * Live-chart data: a fixed one-minute ring per series, advanced by the engine's one-second tick,
 * sent as one coalesced `rates:sampled` event a second with idle series left out, and the full
 * minute in a snapshot.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EventBatch } from '../../shared/contract';
import { RateHistory, SampleRing } from '../traffic/rate-history';
import { RateSampler } from '../traffic/rate-sampler';
import { TestHost } from '../testing/test-host';
import { waitFor } from '../testing/wait';

describe('SampleRing', () => {
  it('keeps the newest 60 samples per channel, oldest first', () => {
    const r = new SampleRing(2, 60);
    for (let i = 1; i <= 75; i++) r.push(i, -i);
    expect(r.length).toBe(60);
    expect(r.series(0)).toEqual(Array.from({ length: 60 }, (_, k) => k + 16));
    expect(r.series(1).at(-1)).toBe(-75);
    expect(r.latest(0)).toBe(75);
    expect(r.pushes).toBe(75);
  });
});

describe('RateSampler', () => {
  it('reports only series that advanced and were busy, and totals what counts', () => {
    const sampler = new RateSampler();
    const a = new RateHistory();
    const b = new RateHistory();
    const idle = new RateHistory();
    const sources = [
      { id: 'l1', history: a, inTotal: true },
      { id: 'l1.c1', history: b, inTotal: false },
      { id: 'u1', history: idle, inTotal: true },
    ];
    a.push(100, 10);
    b.push(100, 10);
    idle.push(0, 0);
    const e = sampler.sample(1000, sources);
    expect(e.total).toEqual({ in: 100, out: 10 });
    expect(e.samples.map((s) => s.id)).toEqual(['l1', 'l1.c1']);
    // Nothing advanced (the conversations closed): nothing reported, total 0.
    const e2 = sampler.sample(2000, sources);
    expect(e2.samples).toEqual([]);
    expect(e2.total).toEqual({ in: 0, out: 0 });
    const snap = sampler.snapshot(sources);
    expect(snap.total.in).toEqual([100, 0]);
    expect(snap.series.map((s) => [s.id, s.ts])).toEqual([
      ['l1', 1000],
      ['l1.c1', 1000],
    ]);
  });
});

describe('engine rates', () => {
  let h: TestHost | null = null;
  afterEach(async () => {
    await h?.engine.shutdown();
    h = null;
  });

  it('sends one rates:sampled a second with bytes, accepts and open clients, and the minute in snapshots', async () => {
    h = new TestHost();
    const batches: EventBatch[] = [];
    const detach = h.engine.attachClient({ send: (b) => batches.push(b) }, { intervalMs: 5 });
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const l = h.listener(endpointId);
    const port = l.local?.kind === 'inet' ? l.local.port : 0;
    const sock = connect(port, '127.0.0.1');
    sock.write(Buffer.alloc(5000));
    const cid = await waitFor(() => h?.listener(endpointId).clientIds[0], 'a client');
    await waitFor(() => h?.conversation(cid).stats.bytesIn === 5000, '5000 bytes in');
    h.engine.tickNow();
    await waitFor(() => batches.some((b) => b.events.some((e) => e.type === 'rates:sampled')), 'a rates event');
    const sampled = batches.flatMap((b) => b.events).filter((e): e is Extract<EngineEvent, { type: 'rates:sampled' }> => e.type === 'rates:sampled');
    expect(sampled).toHaveLength(1);
    const ev = sampled[0]!;
    expect(ev.total).toEqual({ in: 5000, out: 0 });
    expect(ev.samples).toContainEqual({ id: endpointId, in: 5000, out: 0, accepts: 1, open: 1 });
    expect(ev.samples).toContainEqual({ id: cid, in: 5000, out: 0 });

    h.engine.tickNow();
    const snap = h.engine.snapshot().rates;
    expect(snap.total.in).toEqual([5000, 0]);
    const series = snap.series.find((s) => s.id === endpointId);
    expect(series).toMatchObject({ in: [5000, 0], accepts: [1, 0], open: [1, 1] });
    sock.destroy();
    detach();
  });
});
