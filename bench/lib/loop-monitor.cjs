// Loaded into the browser-mode host with `node --require` by bench/responsiveness.ts (the host's
// own code is not changed for the bench): measures the host's event loop while asked to, over the
// Node IPC channel the bench opened. 'start' resets and starts; 'stop' answers with the numbers.
//  - event loop delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution): how late a timer ran;
//  - long tasks: gaps of a 10 ms interval beyond its period, i.e. one task (or GC) holding the loop;
//  - GC pauses (PerformanceObserver 'gc' entries), by kind.
//  - time the main thread was ready to run but waited for a CPU (/proc/self/schedstat's run delay,
//    Linux only): on a 2-core machine the sender, the clients and the bench compete with the host,
//    and a turn that waited for the scheduler is not a turn the engine held.
'use strict';
const { monitorEventLoopDelay, constants } = require('node:perf_hooks');
const { openSync, readSync } = require('node:fs');

// Read every 10 ms by the probe: one open descriptor and one buffer (pread), not a readFileSync each time.
let schedstat = null;
try {
  schedstat = openSync('/proc/self/schedstat', 'r');
} catch {
  // not Linux: no run-queue numbers
}
const schedBuf = Buffer.alloc(128);

/** Nanoseconds the main thread has waited on a run queue so far, or null off Linux. */
function runDelayNs() {
  if (schedstat === null) return null;
  const n = readSync(schedstat, schedBuf, 0, schedBuf.length, 0);
  return Number(schedBuf.toString('latin1', 0, n).split(' ')[1]);
}

const PERIOD_MS = 10;
const LONG_MS = 50;
let recording = false;
let histogram = null;
let longTasks = [];
let gcs = [];
let probe = null;
let last = 0;
let cpu0 = null;
let wall0 = 0;
let waited0 = null;
let lastWaited = null;

const kinds = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
new PerformanceObserver((list) => {
  if (!recording) return;
  for (const e of list.getEntries()) gcs.push({ ms: e.duration, kind: kinds[e.detail?.kind] ?? 'other' });
}).observe({ entryTypes: ['gc'] });

function start() {
  histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  longTasks = [];
  gcs = [];
  recording = true;
  last = performance.now();
  cpu0 = process.cpuUsage();
  wall0 = last;
  waited0 = lastWaited = runDelayNs();
  probe = setInterval(() => {
    const now = performance.now();
    const waited = runDelayNs();
    const over = now - last - PERIOD_MS;
    if (over > LONG_MS) longTasks.push({ ms: over, waitedMs: waited === null || lastWaited === null ? null : (waited - lastWaited) / 1e6 });
    last = now;
    lastWaited = waited;
  }, PERIOD_MS);
  probe.unref();
}

function stop() {
  recording = false;
  clearInterval(probe);
  histogram.disable();
  const ms = (ns) => ns / 1e6;
  const gcMs = gcs.map((g) => g.ms);
  const byKind = {};
  for (const g of gcs) {
    const k = (byKind[g.kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
    k.count++;
    k.totalMs += g.ms;
    k.maxMs = Math.max(k.maxMs, g.ms);
  }
  return {
    delay: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), samples: histogram.count },
    longTasks: {
      count: longTasks.length,
      maxMs: longTasks.reduce((m, x) => Math.max(m, x.ms), 0),
      // Of the long tasks' time, how much the thread spent waiting for a CPU rather than running.
      waitedMs: longTasks.reduce((a, x) => a + (x.waitedMs ?? 0), 0),
      totalMs: longTasks.reduce((a, x) => a + x.ms, 0),
    },
    waitedForCpuMs: waited0 === null ? null : (runDelayNs() - waited0) / 1e6,
    // CPU the host got (all its threads) over the window: far below one core while the loop lags
    // means the machine, not the host, held it back.
    cpuPercent: ((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000 / (performance.now() - wall0)) * 100,
    gc: { count: gcs.length, totalMs: gcMs.reduce((a, b) => a + b, 0), maxMs: gcMs.reduce((m, x) => Math.max(m, x), 0), byKind },
  };
}

if (process.send) {
  process.on('message', (m) => {
    if (m === 'start') {
      start();
      process.send({ started: true });
    } else if (m === 'stop' && histogram) {
      process.send(stop());
    }
  });
  // The channel must not keep the host alive once it is asked to stop.
  process.channel?.unref();
}
