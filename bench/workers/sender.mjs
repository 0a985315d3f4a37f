// Streams N bytes into host:port as fast as the receiver takes them (write → drain), then ends.
// Prints one JSON line: {"bytes":N,"ms":T} where T runs from connect to the last byte handed to the kernel.
import { connect } from 'node:net';

const [host, port, total] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const chunk = Buffer.alloc(1024 * 1024, 0x5a);
const deadline = setTimeout(() => {
  console.error('sender: timed out');
  process.exit(2);
}, 600_000);
const s = connect({ host, port, noDelay: true });
let sent = 0;
let t0 = 0;
s.on('error', (e) => {
  console.error(`sender: ${e.message}`);
  process.exit(1);
});
const pump = () => {
  while (sent < total) {
    const n = Math.min(chunk.length, total - sent);
    sent += n;
    if (!s.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void s.once('drain', pump);
  }
  s.end(() => {
    console.log(JSON.stringify({ bytes: sent, ms: performance.now() - t0 }));
    clearTimeout(deadline);
    s.destroy();
  });
};
s.on('connect', () => {
  t0 = performance.now();
  pump();
});
