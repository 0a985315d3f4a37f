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
});
