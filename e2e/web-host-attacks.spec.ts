import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type WebHost } from './fixtures';
import { openListener } from './helpers';

/**
 * Any web page the person visits can make their browser talk to the loopback host. A page from
 * another origin (a tiny server on another loopback port, in a separate browser context) opens
 * WebSockets and requests to odd URLs — `ws://127.0.0.1:PORT//[` once ended the host with
 * `TypeError: Invalid URL`, without any token. The host must refuse them all and stay up: the
 * Sockscope tab reloads to ready and still runs a command.
 */

/** The foreign origin: one page, no content of interest. */
async function foreignSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test.describe('browser-mode host under attack from a foreign page', () => {
  test.beforeEach(({ appMode }) => {
    test.skip(appMode !== 'browser', 'browser-mode host only');
  });

  test('odd WebSocket and HTTP URLs from another origin leave the host up and the UI working', async ({ page, webHost }) => {
    const host = webHost as WebHost;
    const { port } = new URL(host.origin);
    const site = await foreignSite();
    const attacker = await page.context().browser()!.newContext();
    try {
      const evil = await attacker.newPage();
      await evil.goto(site.origin);
      const outcomes = await evil.evaluate(async (port) => {
        const base = `127.0.0.1:${port}`;
        const targets = [
          `ws://${base}//[`,
          `ws://${base}//[/ws`,
          `ws://${base}/%`,
          `ws://${base}/%zz`,
          `ws://${base}/ws`,
          `ws://${base}/ws?token=%`,
          `ws://${base}/ws?token=${'a'.repeat(8000)}`,
          `ws://${base}/%E2%80%AE/ws`,
          `ws://localhost:${port}//[`,
          `ws://${base}/ws?token=%00%0d%0a`,
        ];
        const ws = targets.map(
          (t) =>
            new Promise<string>((resolve) => {
              const s = new WebSocket(t, ['sockscope.v1', 'sockscope.token.guess']);
              const timer = setTimeout(() => resolve(`${t.slice(0, 40)}: no answer`), 5_000);
              s.onopen = () => resolve(`${t.slice(0, 40)}: OPENED`);
              s.onclose = () => {
                clearTimeout(timer);
                resolve('refused');
              };
            }),
        );
        const http = [`http://${base}//[`, `http://${base}/%zz`, `http://${base}/..%2f..%2fpackage.json`].map((u) =>
          fetch(u, { mode: 'no-cors' }).then(
            () => 'answered',
            () => 'answered',
          ),
        );
        return Promise.all([...ws, ...http]);
      }, port);
      expect(outcomes.filter((o) => o !== 'refused' && o !== 'answered')).toEqual([]);
    } finally {
      await attacker.close();
      await new Promise<void>((r) => site.server.close(() => r()));
    }

    expect(host.process.exitCode, 'the host is still running').toBeNull();
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
    const { region, port: listenPort } = await openListener(page);
    expect(listenPort).toBeGreaterThan(0);
    await expect(region).toContainText('Listening');
  });
});
