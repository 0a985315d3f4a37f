// A bare Node `net` sink on loopback: reads and forgets. Prints {"port":P}; exits on SIGTERM or after 10 min.
import { createServer } from 'node:net';

const server = createServer((s) => {
  s.on('data', () => {});
  s.on('error', () => {});
  s.on('end', () => s.end());
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
setTimeout(() => process.exit(0), 600_000).unref();
process.on('SIGTERM', () => process.exit(0));
