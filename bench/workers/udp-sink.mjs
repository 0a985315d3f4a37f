// A bare Node `dgram` receiver on loopback: counts datagrams and forgets them. Prints {"port":P};
// then, for every line on stdin, {"received":N} (the count so far). Exits on SIGTERM or after 10 min.
import { createSocket } from 'node:dgram';

const host = process.argv[2] ?? '127.0.0.1';
const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
let received = 0;
s.on('message', () => {
  received++;
});
s.on('error', (e) => {
  console.error(`udp-sink: ${e.message}`);
  process.exit(1);
});
s.bind(0, host, () => console.log(JSON.stringify({ port: s.address().port })));
process.stdin.on('data', () => console.log(JSON.stringify({ received })));
setTimeout(() => process.exit(0), 600_000).unref();
process.on('SIGTERM', () => process.exit(0));
