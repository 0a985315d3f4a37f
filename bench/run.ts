/**
 * `npm run bench`: Sockscope at loopback line rate, measured side by side in one run, printed as
 * one table. Everything runs on loopback, bounded in count and time, and is cleaned up.
 *
 *   npm run bench                 the issue's sizes (4 GiB, 10,000 clients, 1,000 × 20 msg/s × 10 s, 200,000 datagrams)
 *   npm run bench -- --gib 0.5    a quicker stream (also: --clients N, --load-clients N, --load-seconds N,
 *                                 --datagrams N, --only a,b,c  with a = throughput, load, latency, udp, scale, sockets,
 *                                 responsive (bench/responsiveness.ts: its own host, no browser; --load-clients, --load-seconds))
 *   npm run bench -- --profile DIR  run the host under `node --cpu-prof` and keep its profile in DIR
 *   npm run bench -- --json FILE    also write the results as JSON
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { SystemSocketsCollector } from '../engine/system-sockets/collector';
import { parseSs } from '../engine/system-sockets/parse-ss';
import { clickLatency, openUi, startRecording, stopRecording, watchMarkers, type Ui } from './lib/browser';
import { cpuMs, rssMiB, sampleRss, startHost, withControl, type Host } from './lib/host';
import { max, percentile, syntheticSs } from './lib/stats';
import { worker } from './lib/workers';
import { responsiveness } from './responsiveness';

const GiB = 1024 ** 3;

interface Options {
  gib: number;
  clients: number;
  loadClients: number;
  loadSeconds: number;
  datagrams: number;
  only: Set<string> | null;
  profile: string | null;
  json: string | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { gib: 4, clients: 10_000, loadClients: 1000, loadSeconds: 10, datagrams: 200_000, only: null, profile: null, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i] ?? '';
    if (a === '--gib') o.gib = Number(v());
    else if (a === '--clients') o.clients = Number(v());
    else if (a === '--load-clients') o.loadClients = Number(v());
    else if (a === '--load-seconds') o.loadSeconds = Number(v());
    else if (a === '--datagrams') o.datagrams = Number(v());
    else if (a === '--only') o.only = new Set(v().split(','));
    else if (a === '--profile') o.profile = v();
    else if (a === '--json') o.json = v();
    else throw new Error(`unknown option ${a}`);
  }
  // Bounded whatever is typed.
  o.gib = Math.min(Math.max(o.gib, 0.01), 16);
  o.clients = Math.min(Math.max(o.clients, 10), 15_000);
  o.loadClients = Math.min(Math.max(o.loadClients, 1), 5000);
  o.loadSeconds = Math.min(Math.max(o.loadSeconds, 1), 60);
  o.datagrams = Math.min(Math.max(o.datagrams, 1000), 1_000_000);
  return o;
}

interface Row {
  section: string;
  metric: string;
  value: string;
  target: string;
  pass: boolean | null;
}

const rows: Row[] = [];
const record = (section: string, metric: string, value: string, target = '', pass: boolean | null = null) => {
  rows.push({ section, metric, value, target, pass });
  console.error(`  ${section} · ${metric}: ${value}${target ? ` (target ${target})` : ''}`);
};
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

interface ListenerSnap {
  id: string;
  kind: string;
  local: { kind: string; port?: number } | null;
  acceptedTotal?: number;
  stats: { chunksIn: number; bytesIn: number; dropped: number };
}

async function openListener(host: Host, ui: Ui, request: Record<string, unknown>): Promise<{ id: string; port: number }> {
  return withControl(host, async (c) => {
    const { endpointId } = await c.invoke<{ endpointId: string }>('tcp:listen', { bindAddress: '127.0.0.1', port: 0, ...request });
    const snap = await c.invoke<{ endpoints: ListenerSnap[] }>('app:snapshot');
    const port = snap.endpoints.find((e) => e.id === endpointId)?.local?.port ?? 0;
    await ui.page.getByRole('region', { name: new RegExp(`^Listener 127\\.0\\.0\\.1:${port}`) }).waitFor({ timeout: 10_000 });
    return { id: endpointId, port };
  });
}

async function removeEndpoint(host: Host, id: string): Promise<void> {
  await withControl(host, (c) => c.invoke('endpoint:remove', { endpointId: id }));
}

async function endpointStats(host: Host, id: string): Promise<ListenerSnap | undefined> {
  return withControl(host, async (c) => (await c.invoke<{ endpoints: ListenerSnap[] }>('app:snapshot')).endpoints.find((e) => e.id === id));
}

// -------------------------------------------------------------------------------------------------

/**
 * Loopback throughput on a shared 2-core VM swings by 2–3× from one second to the next, so the bare
 * sink and Sockscope are measured alternately, `TRIALS` times each with the full size over one
 * connection, and the medians compared. RSS growth is the largest seen during any Sockscope trial.
 */
const TRIALS = 3;

async function throughput(host: Host, ui: Ui, o: Options): Promise<void> {
  const bytes = Math.round(o.gib * GiB);
  const label = `${f(o.gib, o.gib < 1 ? 2 : 0)} GiB, ${TRIALS} alternating trials`;
  const sink = worker('sink.mjs', []);
  const { port: sinkPort } = await sink.line<{ port: number }>();
  const l = await openListener(host, ui, { behaviour: { mode: 'discard' } });
  await sleep(500);
  const pid = host.proc.pid as number;
  const baseline = rssMiB(pid);
  const rss = sampleRss(pid, 50);
  const bare: number[] = [];
  const ours: number[] = [];
  const bareCpu: number[] = [];
  const oursCpu: number[] = [];
  const sinkPid = sink.proc.pid as number;
  /** One stream into `port`: its rate, and the CPU the receiving process used for it, per GiB. */
  const trial = async (port: number, receiver: number, rates: number[], cpu: number[]) => {
    const c0 = cpuMs(receiver);
    const r = await worker('sender.mjs', ['127.0.0.1', port, bytes]).line<{ ms: number }>();
    await sleep(200); // the receiver reads what the kernel still holds
    cpu.push((cpuMs(receiver) - c0) / (bytes / GiB));
    rates.push(bytes / GiB / (r.ms / 1000));
  };
  // One untimed warm-up stream into each receiver first: a fresh process's first gigabyte carries
  // its JIT and heap growth (measured: the first Sockscope trial of a run took 1.4-2× the CPU of
  // the next ones, whether or not the UI showed the stream), which is not the steady cost per byte.
  for (const port of [sinkPort, l.port]) await worker('sender.mjs', ['127.0.0.1', port, Math.min(bytes, GiB / 4)]).line();
  for (let t = 0; t < TRIALS; t++) {
    await trial(sinkPort, sinkPid, bare, bareCpu);
    await trial(l.port, pid, ours, oursCpu);
  }
  await sleep(300);
  const peak = rss.stop();
  await sink.stop();
  const bareGiBs = percentile(bare, 50);
  const oursGiBs = percentile(ours, 50);
  const trials = (xs: number[]) => xs.map((x) => f(x, 2)).join(', ');
  record('1 sink throughput', `bare Node net sink, ${label}`, `${f(bareGiBs, 2)} GiB/s median (${trials(bare)})`);

  if (spawnSync('iperf3', ['--version'], { stdio: 'ignore' }).status === 0) {
    const p = await freePort();
    const server = spawn('iperf3', ['-s', '-1', '-B', '127.0.0.1', '-p', String(p)], { stdio: 'ignore' });
    await sleep(300);
    const r = spawnSync('iperf3', ['-c', '127.0.0.1', '-p', String(p), '-n', String(bytes), '-J'], { encoding: 'utf8', timeout: 300_000 });
    server.kill('SIGKILL');
    try {
      const bps = (JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
      record('1 sink throughput', `iperf3 loopback, ${f(o.gib, o.gib < 1 ? 2 : 0)} GiB`, `${f(bps / 8 / GiB, 2)} GiB/s`);
    } catch {
      record('1 sink throughput', 'iperf3 loopback', 'failed to run');
    }
  } else {
    record('1 sink throughput', 'iperf3 loopback', 'not installed');
  }

  const ratio = oursGiBs / bareGiBs;
  record('1 sink throughput', `Sockscope listener (discard, UI attached), ${label}`, `${f(oursGiBs, 2)} GiB/s median (${trials(ours)}) = ${f(ratio, 2)}× bare`, '≥ 0.8× bare', ratio >= 0.8);
  const cpuRatio = percentile(oursCpu, 50) / percentile(bareCpu, 50);
  const ms = (xs: number[]) => xs.map((x) => f(x, 0)).join(', ');
  record(
    '1 sink throughput',
    'receiver CPU per GiB (user + system, all threads, /proc): host vs bare sink, same trials',
    `${f(percentile(oursCpu, 50), 0)} ms (${ms(oursCpu)}) vs ${f(percentile(bareCpu, 50), 0)} ms (${ms(bareCpu)}) = ${f(cpuRatio, 2)}×`,
    '≤ 1.3× bare',
    cpuRatio <= 1.3,
  );
  record('3 memory', `engine RSS growth while streaming ${label} through one connection each`, `${f(peak - baseline)} MiB (${f(baseline)} → ${f(peak)} MiB)`, '< 64 MiB', peak - baseline < 64);
  await removeEndpoint(host, l.id);
}

async function uiUnderLoad(host: Host, ui: Ui, o: Options): Promise<void> {
  const l = await openListener(host, ui, { backlog: 4096 });
  // The accept storm is measured on its own (its longest task), then the load window begins once
  // the workspace shows every client: the target is the steady state under load. The clients keep
  // writing past the window (their duration has room for the storm), and are stopped after it.
  await startRecording(ui.page);
  const clients = worker('clients.mjs', ['127.0.0.1', l.port, o.loadClients, 20, (o.loadSeconds + 30) * 1000]);
  const c = await clients.line<{ connected: number }>(0);
  await ui.page.getByText(`${c.connected} accepted`, { exact: false }).first().waitFor({ timeout: 20_000 });
  await sleep(1500);
  const storm = await stopRecording(ui.page);
  const before = await endpointStats(host, l.id);
  await startRecording(ui.page);
  const t0 = performance.now();
  await sleep(o.loadSeconds * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const m = await stopRecording(ui.page);
  const after = await endpointStats(host, l.id);
  await clients.stop();
  const received = (after?.stats.bytesIn ?? 0) - (before?.stats.bytesIn ?? 0);
  const p95 = percentile(m.frames, 95);
  const longest = max(m.longtasks);
  const perSecond = m.batches / seconds;
  const label = `${c.connected} clients × 20 msg/s × ${o.loadSeconds} s (the listener took ${(received / 1024 / 1024).toFixed(2)} MiB in the window)`;
  record('4 UI under load', `frame time p95, ${label}`, `${f(p95)} ms (${m.frames.length} frames)`, '< 20 ms', p95 < 20);
  // Issue 11's target: no task over 50 ms (a long task is one the browser reports: over 50 ms).
  record('4 UI under load', 'longest task', `${f(longest)} ms (${m.longtasks.length} long tasks)`, 'none over 50 ms', m.longtasks.length === 0);
  record('4 UI under load', 'batches received per second', f(perSecond), '≤ 60', perSecond <= 60);
  record('4 UI under load', `before the window: ${c.connected} clients arriving and shown, longest task`, `${f(max(storm.longtasks))} ms (${storm.longtasks.length} long tasks)`, 'reported');
  await removeEndpoint(host, l.id);
}

async function latency(host: Host, ui: Ui): Promise<void> {
  const l = await openListener(host, ui, {});
  const peer = connect(l.port, '127.0.0.1');
  await new Promise<void>((r) => peer.once('connect', () => r()));
  await ui.page.getByRole('log', { name: 'Traffic' }).first().waitFor();
  peer.write('warm-up\n');
  await ui.page.getByText('warm-up').first().waitFor();
  await watchMarkers(ui.page, true);
  const sentAt: number[] = [];
  const n = 100;
  for (let i = 0; i < n; i++) {
    sentAt[i] = performance.timeOrigin + performance.now();
    peer.write(`M${i}X\n`);
    await sleep(50);
  }
  await sleep(1000);
  const seen = await watchMarkers(ui.page, false);
  peer.destroy();
  const lat = sentAt.flatMap((t, i) => (seen[i] !== undefined ? [(seen[i] as number) - t] : []));
  const p95 = percentile(lat, 95);
  record('5 latency', `external peer → visible in the UI, p95 of ${n} (${lat.length} seen)`, `${f(p95)} ms (p50 ${f(percentile(lat, 50))}, max ${f(max(lat))})`, '< 100 ms', p95 < 100 && lat.length === n);
  await removeEndpoint(host, l.id);
}

async function udpBurst(host: Host, ui: Ui, o: Options): Promise<void> {
  const { id, port } = await withControl(host, async (c) => {
    const { endpointId } = await c.invoke<{ endpointId: string }>('udp:bind', { bindAddress: '127.0.0.1', port: 0 });
    const snap = await c.invoke<{ endpoints: ListenerSnap[] }>('app:snapshot');
    return { id: endpointId, port: snap.endpoints.find((e) => e.id === endpointId)?.local?.port ?? 0 };
  });
  await ui.page.getByRole('region', { name: new RegExp(`^UDP endpoint 127\\.0\\.0\\.1:${port}`) }).waitFor();
  await sleep(300);
  const pid = host.proc.pid as number;
  const baseline = rssMiB(pid);
  const rss = sampleRss(pid, 50);
  // The same burst into a bare `dgram` receiver and into the endpoint, alternately, TRIALS times each:
  // how many datagrams each reads before the kernel's receive buffer overflows is the comparison.
  const sink = worker('udp-sink.mjs', ['127.0.0.1']);
  const { port: sinkPort } = await sink.line<{ port: number }>();
  const bare: number[] = [];
  const ours: number[] = [];
  let dropped = 0;
  let sent = 0;
  let ms = 0;
  // An untimed warm-up burst into each receiver first, as for the stream (section 1): the first
  // burst into a fresh endpoint read 20-40 % fewer datagrams than the next ones.
  for (const p of [sinkPort, port]) await worker('udp-burst.mjs', ['127.0.0.1', p, Math.min(o.datagrams, 50_000), 64]).line();
  await sleep(1500);
  sink.proc.stdin?.write('\n');
  const { received: warmBare } = await sink.line<{ received: number }>(1);
  let before = await endpointStats(host, id);
  for (let t = 0; t < TRIALS; t++) {
    await worker('udp-burst.mjs', ['127.0.0.1', sinkPort, o.datagrams, 64]).line<{ sent: number; ms: number }>();
    await sleep(1500);
    sink.proc.stdin?.write('\n');
    const { received: bareTotal } = await sink.line<{ received: number }>(t + 2);
    bare.push(bareTotal - warmBare - bare.reduce((n, x) => n + x, 0));
    const burst = await worker('udp-burst.mjs', ['127.0.0.1', port, o.datagrams, 64]).line<{ sent: number; ms: number }>();
    await sleep(1500); // the engine's counters settle
    const after = await endpointStats(host, id);
    ours.push((after?.stats.chunksIn ?? 0) - (before?.stats.chunksIn ?? 0));
    dropped += (after?.stats.dropped ?? 0) - (before?.stats.dropped ?? 0);
    sent += burst.sent;
    ms += burst.ms;
    before = after;
  }
  await sink.stop();
  const peak = rss.stop();
  const alive = host.proc.exitCode === null;
  const received = ours.reduce((n, x) => n + x, 0);
  const ratio = percentile(ours, 50) / percentile(bare, 50);
  const counts = (xs: number[]) => xs.map((x) => x.toLocaleString('en')).join(', ');
  record(
    '6 UDP burst',
    `${o.datagrams.toLocaleString('en')} × 64-byte datagrams (sent in ${f(ms / TRIALS, 0)} ms on average), ${TRIALS} alternating trials`,
    `read by the endpoint ${counts(ours)} vs a bare dgram receiver ${counts(bare)} = ${f(ratio, 2)}× (medians)`,
    '≥ 0.95× bare',
    alive && ratio >= 0.95,
  );
  record(
    '6 UDP burst',
    'of those, over all trials',
    `received ${received.toLocaleString('en')}, kept ${(received - dropped).toLocaleString('en')}, dropped by the engine ${dropped.toLocaleString('en')}, lost in the kernel ${(sent - received).toLocaleString('en')}`,
    'drops counted',
    alive && received > 0,
  );
  record('6 UDP burst', 'engine RSS growth, host alive', `${f(peak - baseline)} MiB, ${alive ? 'alive' : 'CRASHED'}`, 'bounded, no crash', alive && peak - baseline < 64);
  await removeEndpoint(host, id);
}

async function scale(host: Host, ui: Ui, o: Options, sockets: boolean): Promise<void> {
  const l = await openListener(host, ui, { backlog: 4096 });
  const pid = host.proc.pid as number;
  const baseline = rssMiB(pid);
  const per = 4;
  const counts = Array.from({ length: per }, (_, i) => Math.floor(o.clients / per) + (i < o.clients % per ? 1 : 0));
  const t0 = performance.now();
  const children = counts.map((n) => worker('clients.mjs', ['127.0.0.1', l.port, n]));
  const connected = await Promise.all(children.map((c) => c.line<{ connected: number; failed: number }>()));
  const total = connected.reduce((n, c) => n + c.connected, 0);
  await ui.page.getByText(new RegExp(`^${total} accepted`)).waitFor({ timeout: 120_000 });
  const acceptMs = performance.now() - t0;
  await sleep(1500);
  const rss = rssMiB(pid);
  record('2 scale', `${o.clients.toLocaleString('en')} concurrent clients: time until all accepted (shown in the UI)`, `${f(acceptMs / 1000, 2)} s (${total} connected)`, '', total === o.clients);
  record('2 scale', 'engine RSS with them open', `${f(rss)} MiB (+${f(rss - baseline)} MiB)`, '< 250 MB', rss * 1.048576 < 250);
  const clicks: number[] = [];
  for (let i = 2; i < 7; i++) clicks.push(await clickLatency(ui.page, i));
  record('2 scale', 'UI click answered (select a client row, to next frame), worst of 5', `${f(max(clicks))} ms (median ${f(percentile(clicks, 50))})`, '< 200 ms', max(clicks) < 200);

  if (sockets) {
    const collector = new SystemSocketsCollector();
    const times: number[] = [];
    let rowsSeen = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const snap = await collector.snapshot();
      times.push(performance.now() - t);
      rowsSeen = snap.rows.length;
    }
    record('7 system sockets', `full refresh with ${total.toLocaleString('en')} loopback connections open (${rowsSeen.toLocaleString('en')} rows)`, `${f(Math.min(...times), 0)} ms best, ${f(times[0] as number, 0)} ms first`, '< 1 s', Math.min(...times) < 1000);
  }
  await Promise.all(children.map((c) => c.stop()));
  await removeEndpoint(host, l.id);
}

function parseSynthetic(): void {
  const text = syntheticSs(10_000);
  const times: number[] = [];
  let n = 0;
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    n = parseSs(text).rows.length;
    times.push(performance.now() - t);
  }
  const best = Math.min(...times);
  record('7 system sockets', `parse synthetic ss output, ${n.toLocaleString('en')} sockets (${f(text.length / 1e6)} MB)`, `${f(best)} ms best of 7 (first ${f(times[0] as number)} ms)`, '< 50 ms', best < 50);
}

// -------------------------------------------------------------------------------------------------

function printTable(o: Options): void {
  const cores = availableParallelism();
  const header = `Sockscope benchmark — ${new Date().toISOString()} — ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${f(totalmem() / GiB, 0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
  const widths = [18, 70, 64, 18, 4];
  const cells = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] as number)).join(' | ');
  const lines = [header, `sizes: ${o.gib} GiB stream, ${o.clients} clients, ${o.loadClients} × 20 msg/s × ${o.loadSeconds} s, ${o.datagrams} datagrams`, '', cells(['section', 'metric', 'measured', 'target', 'ok']), widths.map((w) => '-'.repeat(w)).join('-|-')];
  for (const r of rows) lines.push(cells([r.section, r.metric, r.value, r.target, r.pass === null ? '' : r.pass ? 'yes' : 'NO']));
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const want = (s: string) => !o.only || o.only.has(s);
  console.error(`bench: starting the browser-mode host and headless Chromium (${availableParallelism()} cores)…`);
  const host = await startHost(o.profile ? { profileDir: o.profile } : {});
  let ui: Ui | null = null;
  const hardStop = setTimeout(() => {
    console.error('bench: overall time limit (45 min) reached');
    host.proc.kill('SIGKILL');
    process.exit(3);
  }, 45 * 60_000);
  try {
    ui = await openUi(host.url);
    // Scale first: its RSS figure is the engine's with 10,000 clients, not what earlier phases left behind.
    if (want('sockets')) parseSynthetic();
    if (want('scale') || want('sockets')) await scale(host, ui, o, want('sockets'));
    if (want('throughput')) await throughput(host, ui, o);
    if (want('load')) await uiUnderLoad(host, ui, o);
    if (want('latency')) await latency(host, ui);
    if (want('udp')) await udpBurst(host, ui, o);
  } finally {
    await ui?.browser.close().catch(() => {});
    await host.stop();
    clearTimeout(hardStop);
  }
  // Its own host, without the browser: after the others, so it shares the machine with nothing of theirs.
  if (want('responsive')) await responsiveness({ seconds: o.loadSeconds, clients: o.loadClients, profile: o.profile }, record);
  printTable(o);
  if (o.json) writeFileSync(o.json, JSON.stringify({ date: new Date().toISOString(), cores: availableParallelism(), cpu: cpus()[0]?.model, options: { ...o, only: o.only ? [...o.only] : null }, rows }, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
