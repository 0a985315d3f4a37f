import { request as httpRequest } from 'node:http';
import { expect, stopWebHost, test, type WebHost } from './fixtures';

/** A raw WebSocket upgrade request; resolves with the HTTP status the server answered. */
function upgrade(host: WebHost, opts: { token?: string; protocolToken?: string; origin?: string; hostHeader?: string; path?: string }): Promise<number> {
  const u = new URL(host.origin);
  const path = `${opts.path ?? '/ws'}${opts.token !== undefined ? `?token=${opts.token}` : ''}`;
  const protocols = ['sockscope.v1', ...(opts.protocolToken ? [`sockscope.token.${opts.protocolToken}`] : [])];
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: u.hostname,
      port: u.port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Protocol': protocols.join(', '),
        Host: opts.hostHeader ?? u.host,
        ...(opts.origin ? { Origin: opts.origin } : {}),
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

test.describe('browser mode host', () => {
  test.beforeEach(({ appMode }) => {
    test.skip(appMode !== 'browser', 'browser-mode host only');
  });

  test('refuses WebSocket upgrades without the right token, from a foreign origin or Host', async ({ webHost }) => {
    const host = webHost as WebHost;
    expect(await upgrade(host, {})).toBe(401);
    expect(await upgrade(host, { token: 'wrong' })).toBe(401);
    expect(await upgrade(host, { protocolToken: `${host.token}x` })).toBe(401);
    expect(await upgrade(host, { token: host.token, origin: 'http://evil.example' })).toBe(403);
    expect(await upgrade(host, { token: host.token, hostHeader: `evil.example:${new URL(host.origin).port}` })).toBe(403);
    expect(await upgrade(host, { token: host.token, path: '/elsewhere' })).toBe(403);
    // The right token, by query or by subprotocol, from our own origin, is let in.
    expect(await upgrade(host, { token: host.token, origin: host.origin })).toBe(101);
    expect(await upgrade(host, { protocolToken: host.token })).toBe(101);
  });

  test('serves the UI with a strict Content-Security-Policy', async ({ webHost }) => {
    const res = await fetch(`${(webHost as WebHost).origin}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('unsafe-inline');
    const traversal = await fetch(`${(webHost as WebHost).origin}/..%2f..%2fpackage.json`);
    expect([403, 404]).toContain(traversal.status);
  });

  test('Ctrl-C stops the host cleanly with exit code 0', async ({ webHost }) => {
    expect(await stopWebHost(webHost as WebHost)).toBe(0);
  });
});
