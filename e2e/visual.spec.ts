/**
 * The main screens as pictures, in both themes at 1280×800, compared with the baselines in
 * visual.spec.ts-snapshots/ (`npx playwright test e2e/visual.spec.ts --update-snapshots` after a
 * deliberate change; look at the new pictures first). What differs from run to run — ports, times,
 * rates, charts, the machine's own sockets and names — is masked; the layout is what is compared.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openConnection, openListener } from './helpers';

/** Everything on screen that changes between runs: ports and times are in these, rates and charts too. */
function dynamic(page: Page): Locator[] {
  return [
    // Whole boxes whose size does not depend on the values in them (a mask sized to a number would move).
    page.locator('.tree-item .title, .tree-item .item-meta, .workspace-header h2, .accepted'),
    page.locator('.traffic-row time, .chunk-details-head .muted, .conversation-head .addresses, .stats'),
    page.locator('.clients-table tbody, .timeline, .connect-calls .resolution'),
    page.locator('canvas, .live-chart'),
    page.locator('.status-bar > span:not(.engine-status)'),
    // The whole table box: how many rows it holds depends on what else runs on the machine.
    page.locator('.sys-scroll, .sys-summary'),
  ];
}

async function shot(page: Page, name: string): Promise<void> {
  // Let the charts' first draw and the display refresh of counters settle.
  await page.waitForTimeout(700);
  await expect(page).toHaveScreenshot(name, { mask: dynamic(page), animations: 'disabled', caret: 'hide', maxDiffPixelRatio: 0.0005 });
}

for (const scheme of ['dark', 'light'] as const) {
  test.describe(`${scheme} theme`, () => {
    const sockets: Socket[] = [];
    let server: Server | null = null;
    test.beforeEach(async ({ page }) => {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    });
    test.afterEach(() => {
      for (const s of sockets.splice(0)) s.destroy();
      server?.close();
      server = null;
    });

    test(`main screens (${scheme})`, async ({ page }) => {
      await shot(page, `empty-${scheme}.png`);

      const { region, port } = await openListener(page);
      for (const line of ['GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 'hello from the second client\n']) {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => {});
        sockets.push(s);
        await new Promise<void>((r) => s.once('connect', () => r()));
        await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(sockets.length + 1);
        s.write(line);
      }
      const log = region.getByRole('log', { name: 'Traffic' });
      await expect(log).toContainText('GET /index.html');
      await region.getByRole('textbox', { name: 'Message' }).fill('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok');
      await region.getByRole('combobox', { name: 'Line ending' }).selectOption({ label: 'None' });
      await region.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(log.getByText('→ out')).toHaveCount(1);
      await shot(page, `listener-${scheme}.png`);

      server = createServer((s) => {
        s.on('error', () => {});
        s.write('220 ready\r\n');
        s.on('data', (d) => s.write(d));
      });
      await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', r));
      const connection = await openConnection(page, '127.0.0.1', ((server as Server).address() as AddressInfo).port);
      await expect(connection.getByRole('log', { name: 'Traffic' })).toContainText('220 ready');
      await connection.getByRole('textbox', { name: 'Message' }).fill('EHLO sockscope.invalid');
      await connection.getByRole('button', { name: 'Send', exact: true }).click();
      await expect(connection.getByRole('log', { name: 'Traffic' }).getByText('← in')).toHaveCount(2);
      await shot(page, `connection-${scheme}.png`);

      await page.getByRole('tab', { name: 'System sockets' }).click();
      await expect(page.getByRole('table', { name: 'System sockets' }).getByRole('row').nth(1)).toBeVisible();
      await shot(page, `system-sockets-${scheme}.png`);
    });
  });
}
