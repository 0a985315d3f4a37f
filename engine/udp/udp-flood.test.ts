/**
 * A flood from a separate process: 200,000 datagrams of 1,000 bytes at loopback speed. UDP has no
 * flow control, so the engine must stay bounded and account for every datagram it was handed:
 * kept (in the ring, or counted in notKept once evicted) or dropped (counted in `dropped`). What the
 * kernel itself dropped (receive buffer full) never reaches the engine; on Linux the test reads it
 * from /proc/net/udp so that every datagram the peer sent is accounted for.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { EventBatch } from '../../shared/contract';
import { BATCH_DEFAULTS } from '../batcher';
import { DEFAULT_RING_CHUNKS } from '../traffic/traffic-log';
import { UDP_LIMITS } from './udp-limits';
import { TestHost } from '../testing/test-host';
import { sleep, waitFor } from '../testing/wait';

const COUNT = 200_000;
const SIZE = 1000;

// Sends COUNT datagrams as fast as loopback takes them, never queueing more than 512 in Node, and
// prints how many the kernel accepted.
const SENDER = `
const dgram = require('node:dgram');
const [port, count, size] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
const buf = Buffer.alloc(size, 0x66);
let queued = 0, ok = 0, failed = 0, done = 0;
const t0 = Date.now();
const cb = (err) => { err ? failed++ : ok++; if (++done === count) s.close(() => console.log(JSON.stringify({ ok, failed, ms: Date.now() - t0 }))); };
function pump() {
  for (let burst = 0; queued < count && burst < 512 && s.getSendQueueCount() < 512; burst++, queued++) s.send(buf, port, '127.0.0.1', cb);
  if (queued < count) setImmediate(pump);
}
s.bind(0, '127.0.0.1', pump);
`;

/** The kernel's drop counter for the UDP socket bound to 127.0.0.1:port (Linux), or null. */
function kernelDrops(port: number): number | null {
  try {
    const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    const line = readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .find((l) => l.trim().split(/\s+/)[1] === hex);
    return line ? Number(line.trim().split(/\s+/).at(-1)) : null;
  } catch {
    return null;
  }
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
function memory() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers };
}

let t: TestHost;
beforeEach(() => {
  t = new TestHost();
});
afterEach(async () => {
  await t.dispose();
});

it('a 200,000-datagram flood leaves the engine bounded, with every datagram accounted for', async () => {
  // A UI client whose transport is congested during the flood: its batcher must not grow.
  let congested = true;
  const batches: EventBatch[] = [];
  t.engine.attachClient({ send: (b) => batches.push(b), congested: () => congested });

  const s = await t.bind({ bindAddress: '127.0.0.1', port: 0 });
  const port = s.local?.kind === 'inet' ? s.local.port : 0;
  const before = memory();

  const started = Date.now();
  const sender = spawn(process.execPath, ['-e', SENDER, String(port), String(COUNT), String(SIZE)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.onCleanup(() => {
    if (sender.exitCode === null) sender.kill('SIGKILL');
  });
  let out = '';
  sender.stdout.on('data', (d: Buffer) => (out += d.toString()));
  sender.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await Promise.race([
    new Promise<number | null>((resolve) => sender.on('exit', resolve)),
    sleep(20_000).then(() => 'timeout' as const),
  ]);
  expect(code, out).toBe(0);
  const report = JSON.parse(out) as { ok: number; failed: number; ms: number };
  expect(report.ok + report.failed).toBe(COUNT);

  // Let the engine read what is left in the receive buffer (bounded wait for the counters to settle).
  let last = -1;
  await waitFor(
    () => {
      const n = t.udp(s.id).stats.chunksIn;
      const settled = n === last;
      last = n;
      return settled;
    },
    'the receive counters to settle',
    5000,
  );
  const elapsedS = (Date.now() - started) / 1000;
  const snap = t.udp(s.id);
  const { stats, notKept } = snap;
  const log = t.engine.requireConversation(s.id).traffic;
  const keptIn = t.traffic(s.id, 'in');
  const after = memory();

  // Every datagram the peer's kernel accepted was read by the engine or dropped by the kernel.
  const drops = kernelDrops(port);
  if (process.platform === 'linux') {
    expect(drops).not.toBeNull();
    expect(stats.chunksIn + (drops ?? 0)).toBe(report.ok);
  } else {
    expect(stats.chunksIn).toBeLessThanOrEqual(report.ok);
  }
  expect(stats.bytesIn).toBe(stats.chunksIn * SIZE);

  // Every datagram the engine read was kept (still in the ring, or evicted and counted in notKept)
  // or deliberately dropped (counted in `dropped`): nothing vanished, nothing was queued.
  expect(notKept.in % SIZE).toBe(0);
  const keptTotal = keptIn.length + notKept.in / SIZE;
  expect(stats.dropped + keptTotal).toBe(stats.chunksIn);
  expect(stats.dropped + notKept.in).toBeGreaterThan(0);
  // The receive budget held: at most 20,000 datagrams kept per one-second window.
  expect(keptTotal).toBeLessThanOrEqual(UDP_LIMITS.keepPerSecond.datagrams * Math.ceil(elapsedS + 1));
  // The ring is bounded by bytes and by chunk count.
  expect(keptIn.length).toBeLessThanOrEqual(DEFAULT_RING_CHUNKS);
  expect(keptIn.length * SIZE).toBeLessThanOrEqual(t.engine.ringBytes);
  expect(log.size).toBe(keptIn.length);

  // Memory after a full GC: the ring (1 MiB a direction) and a batch of previews, plus slack —
  // nowhere near the 200 MB that queueing the flood would have held.
  expect(after.buffers - before.buffers).toBeLessThan(16 * 1024 * 1024);
  expect(after.heap - before.heap).toBeLessThan(32 * 1024 * 1024);

  // The congested client: one bounded batch carries a few previews and counts the rest as skipped.
  expect(batches).toHaveLength(0);
  congested = false;
  await waitFor(() => batches.length > 0, 'the held batch', 2000);
  const traffic = batches.flatMap((b) => b.events).filter((e) => e.type === 'traffic:appended');
  expect(traffic).toHaveLength(1);
  const [ev] = traffic;
  if (ev?.type !== 'traffic:appended') throw new Error('no traffic event');
  expect(ev.chunks.length).toBeLessThanOrEqual(BATCH_DEFAULTS.conversationPreviewChunks);
  // Only kept datagrams reach the hub; dropped ones never cost a preview.
  expect(ev.chunks.length + ev.skipped.chunks).toBe(keptTotal);

  // The timeline stays short and says what was dropped.
  await t.call('endpoint:close', { endpointId: s.id });
  const calls = t.calls(s.id);
  expect(calls.length).toBeLessThanOrEqual(501);
  const countOf = (c: string) => Number(/× ([\d,]+)/.exec(c)?.[1]?.replace(/,/g, ''));
  // What the kernel dropped is told too (Linux), read from the same counter as above.
  if (drops !== null) {
    const byKernel = calls.filter((c) => c.includes('dropped by the kernel')).map(countOf);
    expect(byKernel.reduce((a, b) => a + b, 0)).toBe(drops);
  }
  if (stats.dropped > 0) {
    const dropped = calls
      .filter((c) => c.includes('dropped by Sockscope'))
      .map(countOf)
      .reduce((a, b) => a + b, 0);
    expect(dropped).toBe(stats.dropped);
  }
  console.info(
    `flood: peer sent ${report.ok} in ${report.ms} ms; kernel dropped ${drops}; engine read ${stats.chunksIn}, ` +
      `kept ${keptTotal} (ring ${keptIn.length}, evicted ${notKept.in / SIZE}), dropped ${stats.dropped}; ` +
      `Δbuffers ${((after.buffers - before.buffers) / 1048576).toFixed(1)} MiB, Δheap ${((after.heap - before.heap) / 1048576).toFixed(1)} MiB`,
  );
}, 40_000);
