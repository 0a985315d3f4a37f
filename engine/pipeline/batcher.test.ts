/**
 * Engine → UI batching: one batch per flush, at most 1000/intervalMs batches a second, state
 * coalesced by key, previews capped per conversation with exact skipped counts, and a congested
 * sink that receives nothing (while what waits for it stays bounded) until it drains.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent, EventBatch } from '../../shared/contract';
import { EventBatcher, type BatchSink } from '../batcher';
import { EventHub } from '../event-hub';
import type { StoredChunk } from '../traffic/traffic-log';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class Sink implements BatchSink {
  batches: EventBatch[] = [];
  busy = false;
  send(b: EventBatch): void {
    this.batches.push(b);
  }
  congested(): boolean {
    return this.busy;
  }
  events<T extends EngineEvent['type']>(type: T): Extract<EngineEvent, { type: T }>[] {
    return this.batches.flatMap((b) => b.events).filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  }
}

let seq = 0;
const chunk = (size: number, dir: 'in' | 'out' = 'in'): StoredChunk => ({ seq: seq++, ts: 0, dir, bytes: new Uint8Array(size), peer: null });
const hosts = (n: number): EngineEvent => ({ type: 'recent-hosts:changed', hosts: { tcp: [String(n)], udp: [], unix: [] } });

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function setup(options: ConstructorParameters<typeof EventBatcher>[1] = {}) {
  const hub = new EventHub();
  const sink = new Sink();
  const batcher = new EventBatcher(sink, options);
  disposers.push(hub.subscribe(batcher), () => batcher.dispose());
  return { hub, sink, batcher };
}

describe('EventBatcher', () => {
  it('coalesces 10,000 changes of one key into one event, built once', async () => {
    const { hub, sink } = setup({ intervalMs: 20 });
    let builds = 0;
    for (let i = 0; i < 10_000; i++) {
      hub.changed('conversation:l1.c1', () => {
        builds++;
        return hosts(i);
      });
    }
    await sleep(60);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]?.events).toEqual([hosts(9_999)]);
    expect(builds).toBe(1);
  });

  it('sends everything since the last flush as one batch, in first-change order', async () => {
    const { hub, sink } = setup({ intervalMs: 20 });
    hub.changed('a', () => hosts(1));
    hub.traffic('c1', chunk(10));
    hub.changed('b', () => hosts(2));
    hub.traffic('c2', chunk(10));
    hub.changed('a', () => hosts(3));
    await sleep(60);
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]?.events.map((e) => (e.type === 'traffic:appended' ? e.conversationId : (e as { hosts: { tcp: string[] } }).hosts.tcp[0]))).toEqual([
      '3',
      'c1',
      '2',
      'c2',
    ]);
  });

  it('caps previews per conversation per batch and says exactly what it skipped', async () => {
    const { hub, sink } = setup({ intervalMs: 20, conversationPreviewChunks: 10, conversationPreviewBytes: 1000, chunkPreviewBytes: 300 });
    // 10 chunks fit by count but the byte cap (1000, 300 counted per preview) stops at 3.
    for (let i = 0; i < 50; i++) hub.traffic('c1', chunk(500));
    // Small chunks: the count cap (10) applies.
    for (let i = 0; i < 25; i++) hub.traffic('c2', chunk(1));
    await sleep(60);
    const [c1, c2] = sink.events('traffic:appended');
    expect(c1?.chunks).toHaveLength(3);
    expect(c1?.chunks.every((c) => c.truncated && c.size === 500 && Buffer.from(c.data, 'base64').length === 300)).toBe(true);
    expect(c1?.skipped).toEqual({ chunks: 47, bytes: 47 * 500 });
    expect(c2?.chunks).toHaveLength(10);
    expect(c2?.skipped).toEqual({ chunks: 15, bytes: 15 });
  });

  it('starts each batch with fresh caps', async () => {
    const { hub, sink } = setup({ intervalMs: 10, conversationPreviewChunks: 2 });
    for (let i = 0; i < 5; i++) hub.traffic('c1', chunk(1));
    await sleep(40);
    for (let i = 0; i < 5; i++) hub.traffic('c1', chunk(1));
    await sleep(40);
    const events = sink.events('traffic:appended');
    expect(events.map((e) => [e.chunks.length, e.skipped.chunks])).toEqual([
      [2, 3],
      [2, 3],
    ]);
  });

  it('flushes at most 1000/intervalMs times a second under a continuous stream', async () => {
    const intervalMs = 33;
    const { hub, sink } = setup({ intervalMs });
    const start = Date.now();
    for (let i = 0; Date.now() - start < 1000; i++) {
      hub.traffic('c1', chunk(64));
      hub.changed('conversation:c1', () => hosts(i));
      if (i % 50 === 0) await new Promise<void>((r) => setImmediate(r));
    }
    const elapsed = Date.now() - start;
    await sleep(intervalMs * 2);
    // +2: the first flush comes without waiting, and one may land after the loop.
    expect(sink.batches.length).toBeLessThanOrEqual(Math.ceil(elapsed / intervalMs) + 2);
    expect(sink.batches.length).toBeGreaterThan(5);
    const gaps = sink.batches.map((b) => b.seq);
    expect(gaps).toEqual([...gaps.keys()]);
  });

  it('holds everything back while the sink is congested, bounded while 100,000 chunks flow, and resumes once it drains', async () => {
    const { hub, sink, batcher } = setup({ intervalMs: 10 });
    sink.busy = true;
    let lastBuild = -1;
    for (let i = 0; i < 100_000; i++) {
      hub.traffic(`c${i % 4}`, chunk(1400));
      hub.changed(`conversation:c${i % 4}`, () => hosts((lastBuild = i)));
      if (i % 10_000 === 0) await sleep(15); // let the flush timer fire (and find the sink congested)
    }
    await sleep(50);
    expect(sink.batches).toHaveLength(0);
    const p = batcher.pending();
    // Four conversations: their coalesced state and their capped previews, nothing more.
    expect(p.keys).toBe(8);
    expect(p.previewChunks).toBeLessThanOrEqual(4 * 200);
    expect(p.previewBytes).toBeLessThanOrEqual(4 * 64 * 1024);
    expect(p.previewChunks + p.skippedChunks).toBe(100_000);
    expect(p.skippedBytes).toBe(p.skippedChunks * 1400);

    sink.busy = false;
    await sleep(50);
    expect(sink.batches).toHaveLength(1);
    const traffic = sink.events('traffic:appended');
    expect(traffic.reduce((n, e) => n + e.chunks.length + e.skipped.chunks, 0)).toBe(100_000);
    // Counters are never dropped: the state events carry the newest values.
    expect(sink.events('recent-hosts:changed').map((e) => e.hosts.tcp[0])).toContain(String(lastBuild));
    expect(batcher.pending().keys).toBe(0);
  });
});

describe('EventBatcher counter throttling', () => {
  it('sends counter-only changes of a key at most every throttleMs, a real state change at the next flush', async () => {
    const { hub, sink } = setup({ intervalMs: 10 });
    let n = 0;
    const start = Date.now();
    while (Date.now() - start < 600) {
      hub.changed('conversation:c1', () => hosts(n), 200);
      hub.traffic('c1', chunk(1));
      n++;
      await sleep(5);
    }
    await sleep(250);
    const counters = sink.events('recent-hosts:changed');
    // ~600 ms of changes at 200 ms spacing: 3–5 snapshots, the last one the newest value.
    expect(counters.length).toBeGreaterThanOrEqual(3);
    expect(counters.length).toBeLessThanOrEqual(5);
    expect(counters.at(-1)?.hosts.tcp[0]).toBe(String(n));
    // Traffic is never held back.
    expect(sink.events('traffic:appended').length).toBeGreaterThan(20);

    const before = sink.batches.length;
    hub.changed('conversation:c1', () => hosts(-1), 200);
    hub.changed('conversation:c1', () => hosts(-2)); // e.g. the conversation closed
    hub.changed('conversation:c1', () => hosts(-3), 200); // counters after it still ride along
    await sleep(30);
    expect(sink.batches.length).toBe(before + 1);
    expect(sink.events('recent-hosts:changed').at(-1)?.hosts.tcp[0]).toBe('-3');
  });

  it('carries at most countersPerFlush counters-only snapshots per batch, oldest first, and never holds a real change', async () => {
    const { hub, sink } = setup({ intervalMs: 10, countersPerFlush: 100 });
    for (let i = 0; i < 450; i++) hub.changed(`conversation:c${i}`, () => hosts(i), 250);
    hub.changed('endpoint:l1', () => hosts(-1)); // a real state change, after all of them
    await sleep(200);
    const sizes = sink.batches.map((b) => b.events.length);
    expect(sizes[0]).toBe(101); // 100 counters and the real change
    expect(sizes.slice(1)).toEqual([100, 100, 100, 50]);
    const order = sink.events('recent-hosts:changed').map((e) => Number(e.hosts.tcp[0]));
    expect(order.filter((n) => n >= 0)).toEqual(Array.from({ length: 450 }, (_, i) => i));
  });
});
