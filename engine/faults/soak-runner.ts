/**
 * The soak: a real engine (with a UI client attached, as a window or tab would be) under steady
 * churn on loopback — by default 100 TCP connections a second to its own echo listener (connect,
 * one round trip, close) and 1 MiB/s of UDP datagrams to an echoing UDP endpoint — sampled every
 * few seconds for RSS, heap, open fds and the engine's own counts. Used by the 60-second soak in
 * the test suite (soak.test.ts) and by `npm run soak -- --minutes N` (scripts/soak.ts).
 *
 * No vitest here: plain Node, so the script can run it.
 */
import dgram from 'node:dgram';
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createEngineHost, type EngineHost } from '../index';
import type { TcpConnection } from '../tcp/connection';

export interface SoakOptions {
  durationMs: number;
  connectionsPerSecond?: number;
  udpBytesPerSecond?: number;
  sampleEveryMs?: number;
  onSample?(s: SoakSample): void;
}

export interface SoakSample {
  /** Seconds since the start. */
  t: number;
  rssMiB: number;
  heapMiB: number;
  buffersMiB: number;
  fds: number;
  endpoints: number;
  conversations: number;
  /** Connections completed (connected, echoed, closed) so far. */
  cycles: number;
  udpMiBIn: number;
}

export interface SoakResult {
  samples: SoakSample[];
  /** Process warnings and errors seen during the run (MaxListenersExceededWarning, unhandled…). */
  problems: string[];
  cycles: number;
  failedCycles: number;
  udpBytesIn: number;
  /** After the churn stopped and every endpoint closed. */
  final: { fds: number; fdsAtStart: number; rssMiB: number; heapMiB: number };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;
const round = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Open file descriptors of this process: /proc/self/fd (Linux), /dev/fd (macOS); -1 where neither exists. */
export function openFds(): number {
  for (const dir of ['/proc/self/fd', '/dev/fd']) {
    try {
      return readdirSync(dir).length;
    } catch {
      // not this platform's way
    }
  }
  return -1;
}

async function measure(): Promise<{ rssMiB: number; heapMiB: number; buffersMiB: number }> {
  gc();
  await new Promise((r) => setImmediate(r));
  gc();
  const m = process.memoryUsage();
  return { rssMiB: round(m.rss / MiB), heapMiB: round(m.heapUsed / MiB), buffersMiB: round(m.arrayBuffers / MiB) };
}

async function call(host: EngineHost, command: string, payload: unknown): Promise<unknown> {
  const r = await host.dispatch(command, payload);
  if (!r.ok) throw new Error(`${command}: ${r.error.code} ${r.error.message}`);
  return r.value;
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const perSecond = opts.connectionsPerSecond ?? 100;
  const udpRate = opts.udpBytesPerSecond ?? MiB;
  const sampleEvery = opts.sampleEveryMs ?? 5000;
  const problems: string[] = [];
  const onWarning = (w: Error) => {
    if (w.name === 'MaxListenersExceededWarning') problems.push(`${w.name}: ${w.message}`);
  };
  const onRejection = (reason: unknown) => problems.push(`unhandledRejection: ${String(reason)}`);
  process.on('warning', onWarning);
  process.on('unhandledRejection', onRejection);

  const fdsAtStart = openFds();
  const host = createEngineHost({ mode: 'browser', version: 'soak', dataDir: null });
  const { engine } = host;
  let batches = 0;
  const detach = engine.attachClient({ send: () => void batches++ });
  const udpPeer = dgram.createSocket('udp4');
  udpPeer.on('error', (e) => problems.push(`udp peer: ${e.message}`));
  let udpEchoes = 0;
  udpPeer.on('message', () => void udpEchoes++);

  let cycles = 0;
  let failedCycles = 0;
  let inFlight = 0;
  const samples: SoakSample[] = [];
  try {
    const { endpointId: lid } = (await call(host, 'tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } })) as { endpointId: string };
    const l = engine.requireEndpoint(lid).snapshot();
    const port = l.local?.kind === 'inet' ? l.local.port : 0;
    const { endpointId: uid } = (await call(host, 'udp:bind', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'echo' } })) as { endpointId: string };
    const u = engine.requireEndpoint(uid).snapshot();
    const udpPort = u.local?.kind === 'inet' ? u.local.port : 0;
    await new Promise<void>((r) => udpPeer.bind(0, '127.0.0.1', () => r()));

    /** One cycle: connect, one echoed round trip, remove. */
    const cycle = async () => {
      inFlight++;
      let id: string | null = null;
      try {
        id = ((await call(host, 'tcp:connect', { host: '127.0.0.1', port })) as { endpointId: string }).endpointId;
        const c = engine.requireEndpoint(id) as TcpConnection;
        const deadline = Date.now() + 5000;
        while (c.currentState === 'resolving' || c.currentState === 'connecting') {
          if (Date.now() > deadline) throw new Error('connect took over 5 s');
          await sleep(5);
        }
        const conv = c.currentConversation;
        if (c.currentState !== 'established' || !conv) throw new Error(`not established: ${JSON.stringify(c.snapshot().error)}`);
        await call(host, 'conversation:send', { conversationId: conv.id, data: Buffer.from('ping\n').toString('base64') });
        while (conv.stats.snapshot().bytesIn < 5) {
          if (Date.now() > deadline) throw new Error('no echo within 5 s');
          await sleep(5);
        }
        cycles++;
      } catch (err) {
        failedCycles++;
        if (failedCycles <= 5) problems.push(`cycle failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        if (id) await host.dispatch('endpoint:remove', { endpointId: id });
        inFlight--;
      }
    };

    const started = Date.now();
    const TICK_MS = 20;
    const datagram = Buffer.alloc(1024, 0x75);
    let udpDebt = 0;
    let connDebt = 0;
    let nextSample = started + sampleEvery;
    while (Date.now() - started < opts.durationMs) {
      // Churn: perSecond connections a second, never more than 1,000 at once.
      connDebt += (perSecond * TICK_MS) / 1000;
      while (connDebt >= 1) {
        connDebt--;
        if (inFlight < 1000) void cycle();
      }
      // UDP: udpRate bytes a second in 1 KiB datagrams.
      udpDebt += (udpRate * TICK_MS) / 1000;
      while (udpDebt >= datagram.length) {
        udpDebt -= datagram.length;
        udpPeer.send(datagram, udpPort, '127.0.0.1');
      }
      if (Date.now() >= nextSample) {
        nextSample += sampleEvery;
        const m = await measure();
        const udp = engine.requireEndpoint(uid).snapshot();
        const s: SoakSample = {
          t: round((Date.now() - started) / 1000),
          ...m,
          fds: openFds(),
          endpoints: engine.listEndpoints().length,
          conversations: engine.listConversations().length,
          cycles,
          udpMiBIn: round((udp.kind === 'udp' ? udp.stats.bytesIn : 0) / MiB),
        };
        samples.push(s);
        opts.onSample?.(s);
      }
      await sleep(TICK_MS);
    }
    // Let the last cycles finish, then close everything.
    const drainDeadline = Date.now() + 10_000;
    while (inFlight > 0 && Date.now() < drainDeadline) await sleep(10);
    const udp = engine.requireEndpoint(uid).snapshot();
    const udpBytesIn = udp.kind === 'udp' ? udp.stats.bytesIn : 0;
    await host.dispatch('endpoint:remove', { endpointId: uid });
    await host.dispatch('endpoint:remove', { endpointId: lid });
    detach();
    await new Promise<void>((r) => udpPeer.close(() => r()));
    await engine.shutdown();
    await sleep(50);
    const m = await measure();
    if (batches === 0) problems.push('the UI client received no batch');
    if (udpEchoes === 0) problems.push('no UDP echo came back');
    return { samples, problems, cycles, failedCycles, udpBytesIn, final: { fds: openFds(), fdsAtStart, rssMiB: m.rssMiB, heapMiB: m.heapMiB } };
  } finally {
    process.off('warning', onWarning);
    process.off('unhandledRejection', onRejection);
  }
}

/** Least-squares slope of y over t (units of y per second). */
export function slope(points: { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface SoakLimits {
  /** Samples before this second are warm-up (JIT, pools, heap sizing, and a listener's history of
   * 1,000 closed clients filling up at 100 a second) and not judged. */
  warmupSeconds: number;
  rssMiBPerMinute: number;
  heapMiBPerMinute: number;
  /** Array buffers (Node's Buffers, the traffic rings): memory outside the heap that JS still holds. */
  buffersMiBPerMinute: number;
  fdsPerMinute: number;
}

/**
 * Heap (after full GCs) and array buffers are the precise leak detectors: 4 MiB/min at 100
 * cycles/s is ~700 bytes per cycle. RSS includes allocator slack and moves in steps, so its bound is
 * looser: with heap, buffers and fds flat, its slope over the 40 judged seconds measured 12 MiB/min
 * alone and 17–23 MiB/min with other test files beside it (the allocator keeping freed read buffers);
 * a leak of sockets or of anything JS holds shows in the other three first.
 */
export const DEFAULT_SOAK_LIMITS: SoakLimits = { warmupSeconds: 20, rssMiBPerMinute: 32, heapMiBPerMinute: 4, buffersMiBPerMinute: 4, fdsPerMinute: 10 };

/** What makes a soak fail: growth trends after warm-up, process problems, failed cycles, leftovers. */
export function judgeSoak(r: SoakResult, expectedCyclesPerSecond: number, limits: SoakLimits = DEFAULT_SOAK_LIMITS): string[] {
  const out = [...r.problems];
  const judged = r.samples.filter((s) => s.t >= limits.warmupSeconds);
  if (judged.length < 3) out.push(`only ${judged.length} samples after warm-up: run longer`);
  const per = (key: 'rssMiB' | 'heapMiB' | 'buffersMiB' | 'fds') => slope(judged.map((s) => ({ t: s.t, y: s[key] }))) * 60;
  const rss = per('rssMiB');
  const heap = per('heapMiB');
  const buffers = per('buffersMiB');
  const fds = per('fds');
  if (rss > limits.rssMiBPerMinute) out.push(`RSS grows ${rss.toFixed(1)} MiB/min (limit ${limits.rssMiBPerMinute})`);
  if (heap > limits.heapMiBPerMinute) out.push(`heap grows ${heap.toFixed(1)} MiB/min (limit ${limits.heapMiBPerMinute})`);
  if (buffers > limits.buffersMiBPerMinute) out.push(`array buffers grow ${buffers.toFixed(1)} MiB/min (limit ${limits.buffersMiBPerMinute})`);
  if (fds > limits.fdsPerMinute) out.push(`open fds grow ${fds.toFixed(1)}/min (limit ${limits.fdsPerMinute})`);
  const last = r.samples.at(-1);
  if (last && last.cycles < expectedCyclesPerSecond * last.t * 0.8) out.push(`only ${last.cycles} cycles in ${last.t} s`);
  if (r.failedCycles > 0) out.push(`${r.failedCycles} cycles failed`);
  if (r.final.fds > r.final.fdsAtStart) out.push(`${r.final.fds - r.final.fdsAtStart} fds still open after closing everything`);
  return out;
}
