// Opens COUNT TCP connections to host:port (at most 256 connecting at once), optionally sends
// RATE messages/s on each for DURATION ms, and holds them open until stdin closes or SIGTERM.
// Prints {"connected":N,"ms":T} once all are connected, then {"sent":M} after the load.
import { connect } from 'node:net';

const [host, port, count, rate, duration] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 0), Number(process.argv[6] ?? 0)];
const sockets = [];
let connected = 0;
let failed = 0;
let inflight = 0;
let next = 0;
const t0 = performance.now();
const exit = () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.on('SIGTERM', exit);
process.stdin.on('end', exit);
process.stdin.resume();
setTimeout(exit, 900_000).unref();

const open = () => {
  while (inflight < 256 && next < count) {
    next++;
    inflight++;
    const s = connect({ host, port });
    sockets.push(s);
    s.on('data', () => {});
    s.on('error', () => {});
    s.once('connect', () => {
      inflight--;
      connected++;
      done();
      open();
    });
    s.once('close', () => {
      if (s.connecting) {
        inflight--;
        failed++;
        done();
        open();
      }
    });
  }
};
const done = () => {
  if (connected + failed < count) return;
  console.log(JSON.stringify({ connected, failed, ms: performance.now() - t0 }));
  if (rate > 0) load();
};
const load = () => {
  let sent = 0;
  const period = 1000 / rate;
  const end = performance.now() + duration;
  sockets.forEach((s, i) => {
    const tick = () => {
      if (performance.now() >= end || s.destroyed) return;
      s.write(`msg ${i} ${sent++}\n`);
      setTimeout(tick, period);
    };
    setTimeout(tick, (i * period) / sockets.length);
  });
  setTimeout(() => console.log(JSON.stringify({ sent })), duration + period + 50);
};
open();
