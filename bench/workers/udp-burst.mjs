// Sends COUNT datagrams of SIZE bytes to host:port as fast as the socket takes them (at most
// 512 sends outstanding). Prints {"sent":N,"ms":T}.
import { createSocket } from 'node:dgram';

const [host, port, count, size] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 64)];
const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
const payload = Buffer.alloc(size, 0x75);
let sent = 0;
let acked = 0;
let errors = 0;
const t0 = performance.now();
setTimeout(() => process.exit(2), 120_000).unref();
const pump = () => {
  while (sent < count && sent - acked < 512) {
    sent++;
    s.send(payload, port, host, (err) => {
      acked++;
      if (err) errors++;
      if (acked === count) {
        console.log(JSON.stringify({ sent: count - errors, errors, ms: performance.now() - t0 }));
        s.close();
      } else pump();
    });
  }
};
pump();
