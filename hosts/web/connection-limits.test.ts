/**
 * Descriptor exhaustion: any local process can open connections to the browser-mode host without
 * the token. The real server (in process, real engine) must keep serving its UI and WebSocket
 * clients through a flood of half-open connections, cut those after its request timeout (shortened
 * here through the server's own option), hold authenticated sessions to their cap, and close the
 * file behind every aborted download.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_WEB_SERVER_LIMITS } from './web-server';
import { expectHostServes, rawExchange, startTestHost, wsClient, type TestClient, type WebTestHost } from './web-test-support';

let host: WebTestHost | undefined;
const sockets: Socket[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const c of clients.splice(0)) c.ws.terminate();
  await host?.close();
  host = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** `count` loopback connections that send half a request (or nothing) and then just sit there. */
async function halfOpen(port: number, count: number): Promise<{ closed: () => number }> {
  let closed = 0;
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const s = connect(port, '127.0.0.1');
          sockets.push(s);
          s.on('connect', () => {
            if (i % 2 === 0) s.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
            resolve();
          });
          // Read whatever comes (a 408), or the server's close would never be seen here.
          s.resume();
          s.on('error', () => {});
          s.on('close', () => closed++);
          s.once('error', reject);
        }),
    ),
  );
  return { closed: () => closed };
}

const openFds = () => readdirSync('/proc/self/fd').length;

describe('a flood of unauthenticated connections', () => {
  it('600 half-open connections: the oldest beyond 256 are closed at once, the rest at the timeout; the UI and WebSocket keep working', async () => {
    // Long enough that what is closed before it can only have been closed by the cap, even on a
    // loaded machine; short enough for a quick test.
    const requestTimeoutMs = 4_000;
    host = await startTestHost({ requestTimeoutMs });
    const started = Date.now();
    const flood = await halfOpen(host.server.port, 600);
    // Beyond the cap the oldest are closed as the new ones arrive: the host holds at most 256.
    await until('the flood beyond 256 is closed', () => flood.closed() >= 600 - DEFAULT_WEB_SERVER_LIMITS.maxPendingConnections, requestTimeoutMs - 1_000);
    expect(Date.now() - started, 'closed by the cap, before any request timeout').toBeLessThan(requestTimeoutMs);
    expect(host.logs.some((l) => /more than 256 unauthenticated connections; closing the oldest/.test(l))).toBe(true);

    // A fresh page load and an authenticated client are served in the middle of the flood...
    await expectHostServes(host);
    const session = await wsClient(host.server.port, host.server.token);
    clients.push(session);

    // ...and after the request timeout every half-open connection is gone, but not the session.
    await until('every half-open connection is closed', () => flood.closed() === 600, started + requestTimeoutMs + 5_000 - Date.now());
    expect(session.ws.readyState).toBe(session.ws.OPEN);
    expect((await session.invoke('app:info', {})).ok).toBe(true);
  });

  it('an idle keep-alive connection is closed after keepAliveTimeout', async () => {
    host = await startTestHost({ keepAliveTimeoutMs: 300 });
    const started = Date.now();
    const { answer, serverClosed } = await rawExchange(host.server.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.server.port}\r\n\r\n`, { keepOpen: true, timeoutMs: 8_000 });
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(serverClosed).toBe(true);
    // 300 ms plus the 1 s grace Node adds; Node's own default would be 5 s + 1 s.
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it('sessions are capped at 32: the 33rd is refused with 503, a freed slot is taken again', async () => {
    host = await startTestHost();
    const { port, token } = host.server;
    for (let i = 0; i < DEFAULT_WEB_SERVER_LIMITS.maxSessions; i++) clients.push(await wsClient(port, token));
    await expect(wsClient(port, token)).rejects.toThrow('upgrade refused with 503');
    expect(host.logs).toContain('sockscope web: refused a WebSocket session: 32 are open already');
    const first = clients.shift() as TestClient;
    first.ws.terminate();
    await first.closed;
    // The server sees the close a moment after the client does.
    let again: TestClient | undefined;
    for (let attempt = 0; !again && attempt < 40; attempt++) again = await wsClient(port, token).catch(() => sleep(25).then(() => undefined));
    if (!again) throw new Error('the freed session slot was not given back');
    clients.push(again);
    expect((await again.invoke('app:info', {})).ok).toBe(true);
    // Unauthenticated page loads do not need a session slot.
    const index = await rawExchange(port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, { keepOpen: true });
    expect(index.answer).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('an aborted download closes its file: 40 clients that hang up mid-file leave no descriptor behind', async () => {
    host = await startTestHost();
    writeFileSync(join(host.rendererDir, 'big.js'), Buffer.alloc(8 * 1024 * 1024, 0x61));
    const before = openFds();
    for (let i = 0; i < 40; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(host!.server.port, '127.0.0.1', () => s.write(`GET /big.js HTTP/1.1\r\nHost: 127.0.0.1:${host!.server.port}\r\n\r\n`));
        s.on('error', () => {});
        s.once('data', () => {
          s.destroy();
          resolve();
        });
      });
    }
    await until('the files are closed', () => openFds() <= before + 2, 3_000);
    await expectHostServes(host);
  });
});
