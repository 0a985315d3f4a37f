import { connect, createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { explainError } from './explain-error';

/** A loopback port nothing listens on: bound, read, released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('ECONNREFUSED', () => {
  it('on TCP speaks of the reset, not of UDP', async () => {
    const port = await closedPort();
    const err = await new Promise<Error>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      const timer = setTimeout(() => reject(new Error('connect neither failed nor succeeded')), 5000);
      s.once('connect', () => reject(new Error(`something listens on ${port}`)));
      s.once('error', (e) => {
        clearTimeout(timer);
        resolve(e);
      });
    });
    const info = explainError(err, { target: `127.0.0.1:${port}` });
    expect(info.code).toBe('ECONNREFUSED');
    expect(info.message).toMatch(/^Connection refused \(127\.0\.0\.1:\d+\): .*nothing is listening/);
    expect(info.message).not.toMatch(/UDP|ICMP/);
  });

  it('on UDP speaks of the ICMP port-unreachable', () => {
    const e = Object.assign(new Error('recv ECONNREFUSED'), { code: 'ECONNREFUSED', syscall: 'recvmsg' });
    const info = explainError(e, { target: '127.0.0.1:9', transport: 'udp' });
    expect(info.message).toMatch(/^Port unreachable \(127\.0\.0\.1:9\): an ICMP port-unreachable/);
    expect(info.message).toMatch(/UDP/);
  });
});
