/**
 * The ring buffer's bounds: per direction by bytes and by chunk count, with exact "not kept"
 * markers, and paging that never returns what was forgotten.
 */
import { describe, expect, it } from 'vitest';
import { TrafficLog } from '../traffic/traffic-log';

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);

describe('TrafficLog ring buffer', () => {
  it('forgets the oldest chunks of a direction past its byte budget and counts exactly what went', () => {
    const log = new TrafficLog(1000, 1_000_000);
    for (let i = 0; i < 25; i++) log.append('in', bytes(100), i);
    // 25 × 100 bytes into a 1000-byte budget: 15 chunks (1,500 bytes) not kept.
    expect(log.notKept).toEqual({ in: 1500, out: 0 });
    const page = log.page(undefined, 100);
    expect(page.map((c) => c.seq)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    expect(log.firstKeptSeq).toBe(15);
  });

  it('keeps each direction on its own budget', () => {
    const log = new TrafficLog(300, 1_000_000);
    for (let i = 0; i < 10; i++) {
      log.append('in', bytes(100), i);
      log.append('out', bytes(50), i);
    }
    expect(log.notKept).toEqual({ in: 700, out: 200 });
    const kept = log.page(undefined, 100);
    expect(kept.filter((c) => c.dir === 'in')).toHaveLength(3);
    expect(kept.filter((c) => c.dir === 'out')).toHaveLength(6);
    // Interleaved in sequence order, oldest first.
    expect(kept.map((c) => c.seq)).toEqual([...kept.map((c) => c.seq)].sort((a, b) => a - b));
  });

  it('bounds the chunk count too: 100,000 one-byte chunks keep at most the count limit', () => {
    const log = new TrafficLog(1024 * 1024, 1000);
    for (let i = 0; i < 100_000; i++) log.append('in', bytes(1), i);
    expect(log.size).toBe(1000);
    expect(log.notKept.in).toBe(99_000);
    expect(log.firstKeptSeq).toBe(99_000);
  });

  it('keeps only the newest bytes of a single chunk larger than the whole budget', () => {
    const log = new TrafficLog(1000, 100);
    const big = new Uint8Array(2500).map((_, i) => i % 256);
    const c = log.append('out', big, 1);
    expect(c.bytes.length).toBe(1000);
    expect(c.bytes[0]).toBe(1500 % 256);
    expect(log.notKept).toEqual({ in: 0, out: 1500 });
  });

  it('one-byte and empty chunks wrap like any other: each kept one still holds its own byte', () => {
    const log = new TrafficLog(8, 1000);
    for (let i = 0; i < 50; i++) log.append('in', i % 5 === 4 ? new Uint8Array(0) : Uint8Array.of(i), i);
    const kept = log.page(undefined, 100).filter((c) => c.bytes.length > 0);
    expect(kept.length).toBeGreaterThan(0);
    for (const c of kept) expect(c.bytes[0]).toBe(c.seq);
    expect(log.notKept.in + kept.length).toBe(40);
  });

  it('pages backwards from a sequence number, within a byte budget', () => {
    const log = new TrafficLog(1_000_000, 1_000_000);
    for (let i = 0; i < 50; i++) log.append(i % 2 ? 'out' : 'in', bytes(10), i);
    expect(log.page(20, 5).map((c) => c.seq)).toEqual([15, 16, 17, 18, 19]);
    expect(log.page(20, 100, 35).map((c) => c.seq)).toEqual([17, 18, 19]);
    expect(log.page(0, 10)).toEqual([]);
  });

  it('shows a tap every chunk with its full bytes before the ring trims it', () => {
    const log = new TrafficLog(100, 100);
    const seen: number[] = [];
    log.tap = (c) => seen.push(c.bytes.length);
    log.append('in', bytes(250), 0);
    log.append('in', bytes(10), 1);
    expect(seen).toEqual([250, 10]);
    // 150 trimmed from the big chunk, then its kept 100 bytes made room for the next.
    expect(log.notKept.in).toBe(250);
  });
});

describe('TrafficLog arena', () => {
  it('keeps exact bytes across many wraps with mixed chunk sizes, and never retains the caller’s buffer', () => {
    const budget = 10_000;
    const log = new TrafficLog(budget, 1_000_000);
    const all: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      const size = 1 + ((i * 7919) % 3000);
      const b = new Uint8Array(size).map((_, k) => (i + k) % 256);
      all.push(b);
      total += size;
      const c = log.append('in', b, i);
      expect(c.bytes.buffer).not.toBe(b.buffer);
      b.fill(0); // the caller reuses its buffer: the log's copy is unaffected
    }
    const kept = log.page(undefined, 100_000);
    let keptBytes = 0;
    for (const c of kept) {
      const want = new Uint8Array(c.bytes.length).map((_, k) => (c.seq + k) % 256);
      expect(Buffer.from(c.bytes).equals(Buffer.from(want))).toBe(true);
      keptBytes += c.bytes.length;
    }
    expect(keptBytes).toBeLessThanOrEqual(budget);
    expect(log.notKept.in + keptBytes).toBe(total);
    // The newest chunks are the kept ones, contiguous.
    expect(kept.at(-1)?.seq).toBe(1999);
    expect(kept.map((c) => c.seq)).toEqual(kept.map((_, i) => (kept[0]?.seq as number) + i));
  });
});

describe('TrafficLog.appendRead (socket reads, copied at the end of the turn)', () => {
  const fill = (size: number, seed: number) => new Uint8Array(size).map((_, k) => (seed + k) % 251);

  it('keeps exactly what append would, in sequence order with sends, and counts the rest as not kept', async () => {
    const budget = 10_000;
    const eager = new TrafficLog(budget, 50);
    const lazy = new TrafficLog(budget, 50);
    let total = 0;
    for (let i = 0; i < 300; i++) {
      const dir = i % 7 === 0 ? 'out' : 'in';
      const b = fill(1 + ((i * 7919) % 3000), i);
      total += b.length;
      eager.append(dir, b, i);
      if (dir === 'out') lazy.append(dir, b.slice(), i);
      else lazy.appendRead(dir, b.slice(), i);
      if (i % 50 === 49) await new Promise<void>((r) => setImmediate(r)); // a few turns, each with a burst
    }
    const want = eager.page(undefined, 10_000);
    const got = lazy.page(undefined, 10_000);
    expect(got.map((c) => [c.seq, c.dir, c.bytes.length])).toEqual(want.map((c) => [c.seq, c.dir, c.bytes.length]));
    for (const [i, c] of got.entries()) expect(Buffer.from(c.bytes).equals(Buffer.from((want[i] as { bytes: Uint8Array }).bytes))).toBe(true);
    expect(lazy.notKept).toEqual(eager.notKept);
    const kept = got.reduce((n, c) => n + c.bytes.length, 0);
    expect(lazy.notKept.in + lazy.notKept.out + kept).toBe(total);
  });

  it('copies only the newest ring-full of one turn and lets the older reads go at once', async () => {
    const log = new TrafficLog(4096, 1000);
    const chunks = Array.from({ length: 10 }, (_, i) => log.appendRead('in', fill(1024, i), i));
    // Six older reads were dropped before the turn ended: their buffers are not held.
    expect(chunks.slice(0, 6).map((c) => c.bytes.length)).toEqual([0, 0, 0, 0, 0, 0]);
    await new Promise<void>((r) => setImmediate(r));
    const kept = log.page(undefined, 100);
    expect(kept.map((c) => c.seq)).toEqual([6, 7, 8, 9]);
    expect(Buffer.from(kept[0]?.bytes ?? []).equals(Buffer.from(fill(1024, 6)))).toBe(true);
    expect(log.notKept.in).toBe(6 * 1024);
  });
});
