/**
 * What a new user hit in their first minutes (issue 11, section 6): each test here failed before
 * its fix.
 */
import { createSocket as createUdpSocket } from 'node:dgram';
import { connect as connectTcp, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { chromium, type Browser, type Locator, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath, expect, test } from './fixtures';
import { freePort, openConnection, openListener, startPeer, waitForPort } from './helpers';

/** A page of our own (the fixture's page waits for a ready engine, which these tests must not). */
async function bareBrowser(): Promise<{ browser: Browser; page: Page; errors: string[] }> {
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { browser, page, errors };
}

test.describe('without an engine', () => {
  test('New listener and New UDP endpoint open their dialogs when the page has no token', async ({ webHost }) => {
    test.skip(!webHost, 'browser mode only');
    const { browser, page, errors } = await bareBrowser();
    try {
      await page.goto(`${webHost?.origin}/`);
      await expect(page.getByRole('button', { name: 'New listener', exact: true })).toBeVisible();
      for (const [button, field] of [
        ['New listener', 'Bind address'],
        ['New UDP endpoint', 'Bind address'],
        ['New connection', 'Host'],
      ] as const) {
        await page.getByRole('button', { name: button, exact: true }).click();
        const dialog = page.getByRole('dialog', { name: button });
        await expect(dialog.getByRole('textbox', { name: field, exact: true })).toBeVisible();
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await expect(dialog).toBeHidden();
      }
      // The app is still drawn (React #185 unmounted the whole tree).
      await expect(page.getByRole('button', { name: 'New listener', exact: true })).toBeVisible();
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

/** A TCP client of our own (a real socket from the test process) that collects what it receives. */
async function tcpClient(port: number): Promise<{ socket: Socket; received: () => string; ended: Promise<void> }> {
  const socket = connectTcp(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (data += d));
  socket.on('error', () => {});
  const ended = new Promise<void>((r) => socket.once('close', () => r()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, ended };
}

/** The listener's only client, selected in its Clients table so its conversation is shown. */
async function selectOnlyClient(region: Locator): Promise<void> {
  const rows = region.getByRole('table', { name: 'Clients' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await rows.nth(1).click();
}

/** The side panel's tab of that name, where the layout has one (the behaviour editor lives there). */
async function showPanelTab(region: Locator, name: string): Promise<void> {
  const tab = region.getByRole('tab', { name, exact: true });
  if ((await tab.count()) > 0) await tab.click();
}

test.describe('creation dialogs', () => {
  test('a listener gets its auto-reply, line trigger, close-after-reply and banner from the dialog (whois-style)', async ({ page }) => {
    await page.getByRole('button', { name: 'New listener', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New listener' });
    await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
    await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
    await dialog.getByRole('combobox', { name: 'Behaviour' }).selectOption({ label: 'Auto-reply' });
    await dialog.getByRole('textbox', { name: 'Reply', exact: true }).fill('pong \\u{1F600}\\r\\n');
    await dialog.getByRole('combobox', { name: 'Reply on' }).selectOption({ label: 'each line' });
    await dialog.getByRole('checkbox', { name: 'Close after reply' }).check();
    await dialog.getByRole('textbox', { name: 'Banner on connect' }).fill('hello\\r\\n');
    await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
    await expect(dialog).toBeHidden();
    const region = page.getByRole('region', { name: /^Listener 127\.0\.0\.1:\d+/ });
    await expect(region).toContainText('Listening');
    const port = Number(/:(\d+)/.exec((await region.getAttribute('aria-label')) ?? (await region.locator('h2').first().innerText()))?.[1]);

    const client = await tcpClient(port);
    try {
      await expect.poll(client.received).toBe('hello\r\n');
      // Half a line is not a line: no reply yet.
      client.socket.write('ping');
      await page.waitForTimeout(300);
      expect(client.received()).toBe('hello\r\n');
      client.socket.write('\n');
      await client.ended;
      expect(Buffer.from(client.received(), 'latin1').toString('utf8')).toBe('hello\r\npong 😀\r\n');
    } finally {
      client.socket.destroy();
    }
  });

  test('a bad escape in the dialog\'s reply is refused at the field, and nothing is created', async ({ page }) => {
    await page.getByRole('button', { name: 'New listener', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New listener' });
    await dialog.getByRole('combobox', { name: 'Behaviour' }).selectOption({ label: 'Auto-reply' });
    await dialog.getByRole('textbox', { name: 'Reply', exact: true }).fill('ok\\q');
    await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('Bad escape at position 3');
    await expect(dialog.getByRole('textbox', { name: 'Reply', exact: true })).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByRole('region', { name: /^Listener / })).toHaveCount(0);
  });

  test('a UDP endpoint echoes from the start when the dialog says Echo', async ({ page }) => {
    await page.getByRole('button', { name: 'New UDP endpoint', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New UDP endpoint' });
    await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
    await dialog.getByRole('combobox', { name: 'Behaviour' }).selectOption({ label: 'Echo' });
    await dialog.getByRole('button', { name: 'Bind', exact: true }).click();
    const region = page.getByRole('region', { name: /^UDP endpoint 127\.0\.0\.1:\d+/ });
    await expect(region).toContainText('Bound');
    const port = Number(/:(\d+)/.exec(await region.locator('h2').first().innerText())?.[1]);
    const peer = createUdpSocket('udp4');
    try {
      await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
      const echoed = new Promise<string>((r) => peer.once('message', (m) => r(m.toString('latin1'))));
      peer.send('echo me', port, '127.0.0.1');
      expect(await Promise.race([echoed, new Promise<string>((r) => setTimeout(() => r('(no echo within 5 s)'), 5000))])).toBe('echo me');
    } finally {
      peer.close();
    }
  });

  test('the address choices list each address once', async ({ page }) => {
    for (const form of ['New listener', 'New UDP endpoint']) {
      await page.getByRole('button', { name: form, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: form });
      const values = await dialog
        .getByRole('combobox', { name: 'Address choices' })
        .locator('option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
      expect(values).toContain('127.0.0.1');
      expect(values.length).toBeGreaterThan(3);
      expect(values.filter((v, i) => values.indexOf(v) !== i), 'addresses listed twice').toEqual([]);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
    }
  });
});

test.describe('a running listener', () => {
  test('its reply applies on Enter, without leaving the field, and the field is wide enough to read', async ({ page }) => {
    const { region, port } = await openListener(page);
    await showPanelTab(region, 'Behaviour');
    await region.getByRole('combobox', { name: 'Behaviour' }).selectOption({ label: 'Auto-reply' });
    const reply = region.getByRole('textbox', { name: 'Reply', exact: true });
    await reply.fill('two\\n');
    await reply.press('Enter');
    await expect(reply).toBeFocused();
    expect((await reply.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(260);
    await expect(region.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();

    const client = await tcpClient(port);
    try {
      client.socket.write('x');
      await expect.poll(client.received).toBe('two\n');
      // And an explicit Apply.
      await reply.fill('three\\n');
      await region.getByRole('button', { name: 'Apply', exact: true }).click();
      await expect(region.getByRole('button', { name: 'Apply', exact: true })).toBeDisabled();
      client.socket.write('y');
      await expect.poll(client.received).toBe('two\nthree\n');
    } finally {
      client.socket.destroy();
    }
  });
});

test.describe('composer errors', () => {
  test('a bad escape, bad hex or unknown macro is shown at the Message box, in view, and nothing is sent', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const { region, port } = await openListener(page);
    const client = await tcpClient(port);
    try {
      await selectOnlyClient(region);
      const message = region.getByRole('textbox', { name: 'Message' });
      const send = region.getByRole('button', { name: 'Send', exact: true });
      for (const [text, hex, expected] of [
        ['abc\\q', false, /^Bad escape at position 4: unknown escape "\\q"/],
        ['x\\uD83D', false, /^Bad escape at position 2: .*surrogate/],
        ['hi {{nope}}', false, /^Bad macro at position 4: unknown macro "\{\{nope\}\}"/],
        ['48 6g', true, /^Bad hex at position 5/],
      ] as const) {
        await region.getByRole('checkbox', { name: 'Hex' }).setChecked(hex);
        await message.fill(text);
        await send.click();
        const alert = region.getByRole('alert').filter({ hasText: expected });
        await expect(alert).toBeVisible();
        await expect(alert).toBeInViewport();
        const box = await message.boundingBox();
        const at = await alert.boundingBox();
        expect(box && at, 'both on screen').toBeTruthy();
        if (box && at) {
          // Right under the field, not somewhere else on the page.
          expect(at.y - (box.y + box.height)).toBeLessThan(24);
          expect(at.y).toBeGreaterThanOrEqual(box.y + box.height - 1);
          expect(Math.abs(at.x - box.x)).toBeLessThan(24);
        }
        await expect(message).toHaveAttribute('aria-invalid', 'true');
      }
      await page.waitForTimeout(300);
      expect(client.received(), 'nothing reached the peer').toBe('');
    } finally {
      client.socket.destroy();
    }
  });
});

test.describe('errors', () => {
  test('ECONNREFUSED on TCP explains the reset and does not mention UDP', async ({ page }) => {
    const port = await freePort();
    const connection = await openConnection(page, '127.0.0.1', port);
    const alert = connection.getByRole('alert').filter({ hasText: 'ECONNREFUSED' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('nothing is listening');
    await expect(alert).not.toContainText(/UDP|ICMP/);
  });

  test('a listener whose port is taken offers Retry, which listens on the same port once it is free', async ({ page }) => {
    const blocker = createTcpServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { region } = await openListener(page, { port: String(port) });
      await expect(region.getByRole('alert')).toContainText('EADDRINUSE');
      await new Promise<void>((r) => blocker.close(() => r()));
      await region.getByRole('button', { name: 'Retry', exact: true }).click();
      await expect(page.getByRole('region', { name: `Listener 127.0.0.1:${port}` })).toContainText('Listening');
      await waitForPort(port);
    } finally {
      blocker.close();
    }
  });
});

test.describe('System sockets', () => {
  test("our rows are named as the sidebar names them; Close on another program's row asks first", async ({ page }) => {
    const { port } = await openListener(page);
    // --recv-only: ncat exits when our side closes (else it waits for its stdin to end).
    const ncat = startPeer('ncat', ['--recv-only', '127.0.0.1', String(port)]);
    try {
      const region = page.getByRole('region', { name: `Listener 127.0.0.1:${port}` });
      await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(2);
      await page.getByRole('tab', { name: 'System sockets' }).click();
      await page.getByRole('textbox', { name: 'Filter' }).fill(String(port));
      const table = page.getByRole('table', { name: 'System sockets' });
      const markers = table.getByRole('button', { name: 'Sockscope endpoint', exact: true });
      await expect(markers).toHaveCount(2);
      const names = await markers.allInnerTexts();
      expect(names.some((n) => n.includes(`Listener 127.0.0.1:${port}`) && !n.startsWith('◆ Client'))).toBe(true);
      expect(names.some((n) => /^◆ Client 127\.0\.0\.1:\d+ of Listener 127\.0\.0\.1:\d+$/.test(n))).toBe(true);
      for (const n of names) expect(n, 'no internal ids').not.toMatch(/\b[lcu]\d+(\.c\d+)?\b/);

      // ncat's own socket: not ours, but its far end is our client.
      const theirs = table.getByRole('row').filter({ hasText: 'ncat' }).filter({ hasText: 'ESTABLISHED' });
      await expect(theirs).toHaveCount(1);
      await expect(theirs.getByRole('button', { name: 'Sockscope endpoint', exact: true })).toHaveCount(0);
      await theirs.getByRole('button', { name: 'Close', exact: true }).click();
      const ask = page.getByRole('dialog', { name: "Close Sockscope's end of this connection?" });
      await expect(ask).toBeVisible();
      await expect(ask).toContainText(`of Listener 127.0.0.1:${port}`);
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await expect(ask).toBeHidden();
      await page.waitForTimeout(300);
      expect(ncat.exitCode, 'Cancel closed nothing').toBeNull();

      await theirs.getByRole('button', { name: 'Close', exact: true }).click();
      await ask.getByRole('button', { name: "Close Sockscope's end" }).click();
      await expect.poll(() => ncat.exitCode, { timeout: 5000 }).not.toBeNull();
    } finally {
      ncat.kill();
    }
  });
});
