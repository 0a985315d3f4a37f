/**
 * What every traffic log of an engine may hold together (TrafficMemory), that the logs keep no
 * JavaScript object per chunk, and that a forgotten conversation gives its memory back.
 */
import { describe, expect, it } from 'vitest';
import { rawClient } from '../testing/tcp-peers';
import { useTestHosts } from '../testing/test-host';
import { waitFor } from '../testing/wait';
import { TrafficLog, TrafficMemory } from './traffic-log';

const fill = (n: number, seed: number) => new Uint8Array(n).map((_, k) => (seed + k) % 251);

describe('TrafficMemory: one budget for every log', () => {
  it('lets the first logs grow to their ring size, keeps later ones at their smallest arena, and counts exactly what they could not keep', () => {
    const memory = new TrafficMemory(96 * 1024);
    const a = new TrafficLog(64 * 1024, 10_000, memory);
    const b = new TrafficLog(64 * 1024, 10_000, memory);
    for (let i = 0; i < 100; i++) a.append('in', fill(1024, i), i);
    expect(a.page(undefined, 1000).reduce((n, c) => n + c.bytes.length, 0)).toBe(64 * 1024);
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 100; i++) sent.push(b.append('in', fill(1024, 1000 + i), i) && fill(1024, 1000 + i));
    // b got its 16 KiB arena and no more: it keeps exactly its newest 16 chunks, byte for byte.
    const kept = b.page(undefined, 1000);
    expect(kept.map((c) => c.seq)).toEqual(Array.from({ length: 16 }, (_, k) => 84 + k));
    for (const c of kept) expect(Buffer.from(c.bytes).equals(Buffer.from(sent[c.seq] as Uint8Array))).toBe(true);
    expect(b.notKept.in).toBe(84 * 1024);
    // Over the budget only by the smallest arena (and record ring) a log is always given.
    expect(memory.usedBytes).toBeLessThanOrEqual(96 * 1024 + 16 * 1024 + 32 * 24);

    // Once a is forgotten, its memory goes back and b grows on its next chunks.
    a.release();
    for (let i = 100; i < 200; i++) b.append('in', fill(1024, i), i);
    expect(b.page(undefined, 1000).reduce((n, c) => n + c.bytes.length, 0)).toBe(64 * 1024);
    b.release();
    expect(memory.usedBytes).toBe(0);
  });

  it('a forgotten log keeps nothing more and counts what still arrives as not kept', () => {
    const memory = new TrafficMemory();
    const log = new TrafficLog(64 * 1024, 1000, memory);
    log.append('out', fill(100, 1), 1);
    log.release();
    const late = log.append('out', fill(300, 2), 2);
    expect(late.bytes.length).toBe(0);
    expect(log.size).toBe(0);
    expect(log.notKept.out).toBe(300);
    expect(memory.usedBytes).toBe(0);
  });

  it('keeps no object per chunk: a million kept chunks in 100 logs add little to the JavaScript heap', () => {
    const memory = new TrafficMemory(1024 * 1024 * 1024);
    const logs = Array.from({ length: 100 }, () => new TrafficLog(1024 * 1024, 10_000, memory));
    const one = fill(12, 7);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) for (const log of logs) log.append('in', one, i);
    const grown = process.memoryUsage().heapUsed - before;
    expect(logs.every((l) => l.size === 10_000)).toBe(true);
    // A chunk object and a typed-array view per chunk were ~150 bytes each: 150 MB here. What is
    // left is garbage from the appends not yet collected (at most a young generation or two).
    expect(grown).toBeLessThan(48 * 1024 * 1024);
    expect(logs[99]?.page(undefined, 1)[0]?.bytes).toEqual(one);
  });
});

describe('the engine gives a conversation’s traffic memory back', () => {
  const host = useTestHosts();

  it('when the listener that accepted it is removed', async () => {
    const h = host();
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const s = h.listener(endpointId);
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const clients = await Promise.all(Array.from({ length: 10 }, () => rawClient(port)));
    for (const [i, c] of clients.entries()) c.socket.write(Buffer.from(fill(40_000, i)));
    await waitFor(() => h.listener(endpointId).stats.bytesIn === 400_000, 'every byte read');
    await waitFor(() => h.engine.trafficMemory.usedBytes > 10 * 16 * 1024, 'the rings took memory');
    await h.call('endpoint:remove', { endpointId });
    expect(h.engine.trafficMemory.usedBytes).toBe(0);
  });

  it('says so in the snapshot of a conversation the full memory kept small (the marker: "traffic memory full")', async () => {
    const h = host({ trafficMemoryBytes: 1.25 * 1024 * 1024 });
    const { endpointId } = await h.call('tcp:listen', { bindAddress: '127.0.0.1', port: 0 });
    const s = h.listener(endpointId);
    const port = s.local?.kind === 'inet' ? s.local.port : 0;
    const first = await rawClient(port);
    first.socket.write(Buffer.from(fill(2 * 1024 * 1024, 1)));
    await waitFor(() => h.listener(endpointId).stats.bytesIn === 2 * 1024 * 1024, 'the first client read');
    const second = await rawClient(port);
    second.socket.write(Buffer.from(fill(1024 * 1024, 2)));
    await waitFor(() => h.listener(endpointId).stats.bytesIn === 3 * 1024 * 1024, 'the second client read');
    const [a, b] = h.listener(endpointId).clientIds.map((id) => h.conversation(id));
    // The first grew to its full 1 MiB ring; the second was held back by the engine's memory.
    expect(a?.notKept.memoryFull).toBeUndefined();
    // Its full 1 MiB ring, less at most the tail a wrap skips and one read the next write overlapped (≤ 64 KiB each).
    expect(h.traffic(a?.id as string).reduce((n, c) => n + c.bytes.length, 0)).toBeGreaterThanOrEqual(1024 * 1024 - 128 * 1024);
    expect(b?.notKept.memoryFull).toBe(true);
    expect(b?.notKept.in).toBeGreaterThan(512 * 1024);
  });
});

describe('TrafficMemory under random use (seeded)', () => {
  it('several logs on a small budget: every kept chunk is byte-exact, kept + not kept = all, memory returns to 0', async () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const memory = new TrafficMemory(200 * 1024);
    const logs = Array.from({ length: 6 }, () => ({ log: new TrafficLog(64 * 1024, 300, memory), sent: new Map<number, Uint8Array>(), total: 0 }));
    for (let step = 0; step < 20_000; step++) {
      const l = logs[rand(logs.length)]!;
      const kind = rand(10);
      const size = kind === 0 ? rand(90_000) : kind === 1 ? rand(3) : rand(2000);
      const bytes = fill(size, step);
      const dir = rand(3) === 0 ? 'out' : 'in';
      const c = dir === 'in' && rand(2) === 0 ? l.log.appendRead(dir, bytes.slice(), step) : l.log.append(dir, bytes, step);
      l.sent.set(c.seq, bytes);
      l.total += size;
      if (step % 500 === 499) await new Promise<void>((r) => setImmediate(r)); // reads settle at the end of a turn
      if (rand(4000) === 0) {
        // A conversation forgotten and another one taking its place.
        l.log.release();
        l.log = new TrafficLog(64 * 1024, 300, memory);
        l.sent.clear();
        l.total = 0;
      }
    }
    await new Promise<void>((r) => setImmediate(r));
    for (const l of logs) {
      const kept = l.log.page(undefined, 10_000);
      let keptBytes = 0;
      for (const c of kept) {
        const sent = l.sent.get(c.seq) as Uint8Array;
        // A chunk larger than the arena keeps its newest bytes: the kept bytes are the end of what was sent.
        expect(Buffer.from(c.bytes).equals(Buffer.from(sent.subarray(sent.length - c.bytes.length)))).toBe(true);
        keptBytes += c.bytes.length;
      }
      expect(keptBytes + l.log.notKept.in + l.log.notKept.out).toBe(l.total);
      expect(kept.length).toBeLessThanOrEqual(600);
    }
    // Over the budget by at most each log's smallest arenas and record rings (two directions each).
    expect(memory.usedBytes).toBeLessThanOrEqual(200 * 1024 + logs.length * 2 * (16 * 1024 + 32 * 24));
    for (const l of logs) l.log.release();
    expect(memory.usedBytes).toBe(0);
  });
});
