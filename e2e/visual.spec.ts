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
    page.locator('.traffic-row time, .chunk-details-head .muted'),
    page.locator('.clients-table tbody, .timeline, .connect-calls .resolution'),
    page.locator('canvas, .live-chart'),
    page.locator('.status-bar > span:not(.engine-status)'),
    // The whole table box: how many rows it holds depends on what else runs on the machine.
    page.locator('.sys-scroll'),
  ];
}

/**
 * Texts that change from run to run (ports, times, counters, socket counts) and whose width changes
 * with them: a mask over one would change size too, so they are made invisible instead. Their boxes
 * keep their place and nothing after them moves (each is followed by a spacer or ends its row). Set
 * through the CSSOM: the app's CSP refuses an injected style sheet (toHaveScreenshot's `stylePath`).
 */
const UNMEASURED_TEXTS = '.conversation-head .addresses, .stats, .sys-summary';

async function shot(page: Page, name: string): Promise<void> {
  // Let the charts' first draw and the display refresh of counters settle.
  await page.waitForTimeout(700);
  await page.locator(UNMEASURED_TEXTS).evaluateAll((texts) => {
    for (const t of texts) if (t instanceof HTMLElement) t.style.visibility = 'hidden';
  });
  await expect(page).toHaveScreenshot(name, { mask: dynamic(page), animations: 'disabled', caret: 'hide', ...PICTURE_TOLERANCE });
}

/**
 * How far a picture may differ from its baseline. The top bar's `Run a script…` button (about
 * 120×26 px, a fill barely lighter than the bar) once passed unnoticed: at the default per-pixel
 * threshold of 0.2 only its 136 darkest text pixels counted as changed, under the 512 that
 * `maxDiffPixelRatio: 0.0005` allowed. At 0.02 its whole box counts (about 2,800 pixels, either
 * theme). Run to run on one machine a screen differs by a few anti-aliased pixels (at most 6 here,
 * even at threshold 0); 100 leaves room for that and is a 10×10 square: no new control fits in it.
 */
const PICTURE_TOLERANCE = { threshold: 0.02, maxDiffPixels: 100 } as const;

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
