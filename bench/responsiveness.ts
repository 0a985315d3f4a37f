/**
 * `npm run bench -- --only responsive`: does the engine keep its event loop free? In Electron the
 * engine shares the main process with menus, windows and every IPC message, so a command's round
 * trip under load is what a person feels there. Measured on the real browser-mode host (the same
 * engine and session module as the desktop app), with no browser: a line-rate stream into a
 * Discard listener, 1,000 clients sending 20 messages a second each into another listener, and one
 * session that said hello consuming every batch (what a window costs the engine) — meanwhile a
 * control client sends `app:info` every 20 ms and times the answer. Inside the host,
 * bench/lib/loop-monitor.cjs (loaded with `--require`) records event-loop delay, tasks longer
 * than 50 ms and GC pauses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { startHost, withControl, type Host } from './lib/host';
import { max, percentile } from './lib/stats';
import { worker } from './lib/workers';

export interface ResponsivenessOptions {
  seconds: number;
  clients: number;
  profile: string | null;
}

type Record = (section: string, metric: string, value: string, target?: string, pass?: boolean | null) => void;

interface LoopReport {
  delay: { p50: number; p99: number; max: number; samples: number };
  longTasks: { count: number; maxMs: number; waitedMs: number; totalMs: number };
  waitedForCpuMs: number | null;
  cpuPercent: number;
  gc: { count: number; totalMs: number; maxMs: number; byKind: { [kind: string]: { count: number; totalMs: number; maxMs: number } } };
}

const SECTION = '8 main responsive';
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Milliseconds this process's main thread has waited on a run queue (Linux; 0 elsewhere). */
function ownRunDelayMs(): number {
  try {
    return Number(readFileSync('/proc/self/schedstat', 'utf8').split(' ')[1]) / 1e6;
  } catch {
    return 0;
  }
}

/** Asks the host's loop monitor something over the Node IPC channel, with a time limit. */
function ask<T>(host: Host, what: 'start' | 'stop'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`loop monitor: no answer to ${what}`)), 10_000);
    host.proc.once('message', (m) => {
      clearTimeout(t);
      resolve(m as T);
    });
    host.proc.send(what);
  });
}

/**
 * A session that says hello and reads every batch, as a window would. It also follows the stream
 * listener's byte counter from its batches, so the measurement asks the engine for no snapshot.
 */
async function batchReader(host: Host, streamId: string): Promise<{ batches(): number; streamBytes(): number; close(): void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, ['sockscope.v1', `sockscope.token.${host.token}`], { maxPayload: 256 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let batches = 0;
  let streamBytes = 0;
  type Msg = { type: string; batch?: { events: { type: string; endpoint?: { id: string; stats: { bytesIn: number } } }[] } };
  ws.on('message', (data: Buffer) => {
    // Parsed in full, as a client must, so this one reads at the speed a real one would.
    const msg = JSON.parse(data.toString()) as Msg;
    if (msg.type !== 'batch') return;
    batches++;
    for (const e of msg.batch?.events ?? []) {
      if ((e.type === 'endpoint:changed' || e.type === 'listener:changed') && e.endpoint?.id === streamId) streamBytes = e.endpoint.stats.bytesIn;
    }
  });
  ws.on('error', () => undefined);
  // As the renderer does: it applies a listener's timeline as appends (listener:changed).
  ws.send(JSON.stringify({ type: 'hello', protocol: 1, timelineAppends: true }));
  // As a window does that shows the listeners but no client's Traffic log: counters, no previews.
  ws.send(JSON.stringify({ type: 'invoke', id: 1, command: 'ui:watch', payload: { conversationIds: [] } }));
  return { batches: () => batches, streamBytes: () => streamBytes, close: () => ws.close() };
}

/** `app:info` every `everyMs` (one at a time) until `stop` resolves; returns each round trip in ms. */
async function roundTrips(host: Host, everyMs: number, until: () => boolean): Promise<number[]> {
  return withControl(host, async (c) => {
    const rtts: number[] = [];
    while (!until() && rtts.length < 100_000) {
      const t = performance.now();
      await c.invoke('app:info');
      rtts.push(performance.now() - t);
      await sleep(everyMs);
    }
    return rtts;
  });
}

export async function responsiveness(o: ResponsivenessOptions, record: Record): Promise<void> {
  const monitor = join(import.meta.dirname, 'lib', 'loop-monitor.cjs');
  const host = await startHost({ nodeArgs: ['--require', monitor], ipc: true, ...(o.profile ? { profileDir: o.profile } : {}) });
  try {
    const { stream, busy } = await withControl(host, async (c) => {
      const s = await c.invoke<{ endpointId: string }>('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: { mode: 'discard' } });
      const b = await c.invoke<{ endpointId: string }>('tcp:listen', { bindAddress: '127.0.0.1', port: 0, backlog: 4096 });
      const snap = await c.invoke<{ endpoints: { id: string; local: { port?: number } | null }[] }>('app:snapshot');
      const portOf = (id: string) => snap.endpoints.find((e) => e.id === id)?.local?.port ?? 0;
      return { stream: { id: s.endpointId, port: portOf(s.endpointId) }, busy: { id: b.endpointId, port: portOf(b.endpointId) } };
    });
    const reader = await batchReader(host, stream.id);
    const clients = worker('clients.mjs', ['127.0.0.1', busy.port, o.clients, 20, (o.seconds + 5) * 1000]);
    const { connected } = await clients.line<{ connected: number }>(0);
    // More than the window can carry at loopback speed: the sender is stopped when the window ends.
    const sender = worker('sender.mjs', ['127.0.0.1', stream.port, 64 * 1024 ** 3]);
    await sleep(1500); // the stream reaches its rate, and the hello's snapshot is long sent
    const bytes0 = reader.streamBytes();
    const batches0 = reader.batches();
    await ask(host, 'start');
    // The bench's own loop times the answers (and parses the reader's batches): its lag is in every
    // round trip, so it is measured too, to tell the host's share from the measurement's.
    const benchWaited0 = ownRunDelayMs();
    const own = monitorEventLoopDelay({ resolution: 1 });
    own.enable();
    const t0 = performance.now();
    const rtts = await roundTrips(host, 20, () => performance.now() - t0 > o.seconds * 1000);
    own.disable();
    const benchWaitedMs = ownRunDelayMs() - benchWaited0;
    const loop = await ask<LoopReport>(host, 'stop');
    const seconds = (performance.now() - t0) / 1000;
    const streamed = reader.streamBytes() - bytes0;
    const batches = reader.batches() - batches0;
    await sender.stop();
    await clients.stop();
    reader.close();

    const label = `${f(streamed / 1024 ** 3 / seconds, 2)} GiB/s stream + ${connected} clients × 20 msg/s, ${f(seconds, 0)} s, one session reading ${f(batches / seconds, 0)} batches/s`;
    const p99 = percentile(rtts, 99);
    const worst = max(rtts);
    record(SECTION, `app:info round trip over the WebSocket, ${rtts.length} samples (${label})`, `p50 ${f(percentile(rtts, 50))} ms, p99 ${f(p99)} ms, max ${f(worst)} ms`, 'p99 < 15 ms, max < 50 ms', p99 < 15 && worst < 50);
    record(
      SECTION,
      'host event loop: delay of a 1 ms timer (monitorEventLoopDelay); tasks holding it over 50 ms',
      `host CPU ${f(loop.cpuPercent, 0)} % of one core; delay p50 ${f(loop.delay.p50)} ms, p99 ${f(loop.delay.p99)} ms, max ${f(loop.delay.max)} ms; ${loop.longTasks.count} tasks over 50 ms (longest ${f(loop.longTasks.maxMs)} ms over its period${loop.longTasks.count ? `; ${f(loop.longTasks.waitedMs, 0)} of their ${f(loop.longTasks.totalMs, 0)} ms waiting for a CPU` : ''})`,
      'no task > 50 ms',
      loop.longTasks.count === 0 && loop.delay.max < 50,
    );
    if (loop.waitedForCpuMs !== null) {
      const share = (loop.waitedForCpuMs / (seconds * 1000)) * 100;
      record(SECTION, "host main thread ready to run but waiting for a CPU (/proc/self/schedstat run delay): the machine's share of the lag", `${f(loop.waitedForCpuMs, 0)} ms = ${f(share)} % of the window; the bench itself ${f(benchWaitedMs, 0)} ms`);
    }
    const ms = (ns: number) => ns / 1e6;
    record(SECTION, "the bench's own event loop meanwhile (it times the answers and parses the session's batches)", `delay p50 ${f(ms(own.percentile(50)))} ms, p99 ${f(ms(own.percentile(99)))} ms, max ${f(ms(own.max))} ms`);
    const kinds = Object.entries(loop.gc.byKind)
      .map(([k, v]) => `${k} ${v.count} (${f(v.totalMs, 0)} ms, max ${f(v.maxMs)})`)
      .join(', ');
    record(SECTION, 'host GC pauses (PerformanceObserver gc)', `${loop.gc.count} pauses, ${f(loop.gc.totalMs, 0)} ms = ${f((loop.gc.totalMs / (seconds * 1000)) * 100)} % of the window, longest ${f(loop.gc.maxMs)} ms — ${kinds}`, 'no pause > 50 ms', loop.gc.maxMs < 50);
  } finally {
    await host.stop();
  }
}
