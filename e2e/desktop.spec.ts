/**
 * Desktop conventions (issue 11, section 5) in browser mode: keyboard shortcuts and their
 * `Keyboard shortcuts` dialog, light and dark themes with a saved override, honest states while
 * the engine is unreachable, and `npm start` falling back to browser mode where no Electron
 * binary exists.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page, WebSocketRoute } from '@playwright/test';
import { expect, test } from './fixtures';
import { freePort, openConnection, openListener, startPeer, waitForPort } from './helpers';

// No \b: a title's port runs straight into the state in an item's text (`…:43521Listening`).
const STATE_WORDS = /Listening|Established|Bound/;

/** Keys go to the page, not to a field: nothing focused. */
async function blur(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}

async function openUdp(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'New UDP endpoint', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New UDP endpoint' });
  await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
  await dialog.getByRole('button', { name: 'Bind', exact: true }).click();
  await expect(dialog).toBeHidden();
  const region = page.getByRole('region', { name: /^UDP endpoint / });
  await expect(region).toContainText('Bound');
  return region;
}

/** Relative luminance of an element's computed background colour (0 black … 1 white). */
async function backgroundLuminance(page: Page, selector = 'body'): Promise<number> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel) as Element;
    const [r, g, b, alpha = 1] = (getComputedStyle(el).backgroundColor.match(/[\d.]+/g) ?? []).map(Number) as [number, number, number, number?];
    // A transparent background would read as black: that is no answer.
    if (alpha < 1) return Number.NaN;
    const lin = (v: number) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }, selector);
}

test.describe('keyboard shortcuts', () => {
  test('open the creation dialogs with their first field focused', async ({ page }) => {
    const cases = [
      ['ControlOrMeta+Shift+L', 'New listener', 'Bind address'],
      ['ControlOrMeta+Shift+O', 'New connection', 'Host'],
      ['ControlOrMeta+Shift+D', 'New UDP endpoint', 'Bind address'],
    ] as const;
    for (const [keys, title, field] of cases) {
      await blur(page);
      await page.keyboard.press(keys);
      const dialog = page.getByRole('dialog', { name: title });
      await expect(dialog).toBeVisible();
      await expect(dialog.getByRole('textbox', { name: field, exact: true })).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    // The buttons open the same dialogs, focused the same way.
    await page.getByRole('button', { name: 'New connection', exact: true }).click();
    await expect(page.getByRole('dialog', { name: 'New connection' }).getByRole('textbox', { name: 'Host', exact: true })).toBeFocused();
  });

  test('search, send and save act in the conversation on screen', async ({ page }) => {
    const port = await freePort();
    const peer = startPeer('ncat', ['-lk', '127.0.0.1', String(port)]);
    try {
      await waitForPort(port);
      const region = await openConnection(page, '127.0.0.1', port);
      await expect(region).toContainText('Established');

      await blur(page);
      await page.keyboard.press('ControlOrMeta+F');
      await expect(region.getByRole('textbox', { name: 'Search traffic' })).toBeFocused();

      // Ctrl+Enter sends from anywhere in the composer — once.
      await region.getByRole('textbox', { name: 'Message' }).fill('via-ctrl-enter');
      await region.getByRole('combobox', { name: 'Line ending' }).focus();
      await page.keyboard.press('ControlOrMeta+Enter');
      await expect.poll(() => peer.output()).toContain('via-ctrl-enter');
      await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('via-ctrl-enter');
      // Typed in the Message box itself, Ctrl+Enter is the box's own Enter: still exactly one send.
      await region.getByRole('textbox', { name: 'Message' }).fill('typed-then-sent');
      await region.getByRole('textbox', { name: 'Message' }).press('ControlOrMeta+Enter');
      await expect.poll(() => peer.output()).toContain('typed-then-sent');
      await page.waitForTimeout(300);
      expect(peer.output().match(/via-ctrl-enter/g)).toHaveLength(1);
      expect(peer.output().match(/typed-then-sent/g)).toHaveLength(1);

      // Text fields keep their own keys: `?` types, Ctrl+A selects.
      const message = region.getByRole('textbox', { name: 'Message' });
      await message.fill('what');
      await message.press('?');
      await expect(message).toHaveValue('what?');
      await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();
      await message.press('ControlOrMeta+A');
      expect(await message.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd])).toEqual([0, 5]);

      // Save message asks for a Name, focused.
      await message.press('ControlOrMeta+S');
      await expect(page.getByRole('textbox', { name: 'Name', exact: true })).toBeFocused();
    } finally {
      peer.kill();
    }
  });

  test('switch endpoints by number and with Alt+arrows', async ({ page }) => {
    const { port } = await openListener(page);
    await openConnection(page, '127.0.0.1', port);
    const listener = page.getByRole('region', { name: /^Listener / });
    const connection = page.getByRole('region', { name: /^Connection / });
    await expect(connection).toBeVisible(); // the newest is selected

    await blur(page);
    await page.keyboard.press('ControlOrMeta+1');
    await expect(listener).toBeVisible();
    await expect(connection).toBeHidden();
    await page.keyboard.press('Alt+ArrowDown');
    await expect(connection).toBeVisible();
    await expect(listener).toBeHidden();
    await page.keyboard.press('Alt+ArrowUp');
    await expect(listener).toBeVisible();
    await page.keyboard.press('ControlOrMeta+2');
    await expect(connection).toBeVisible();
  });

  test('the Keyboard shortcuts dialog lists every shortcut; F1, ? and its button open it', async ({ page }) => {
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const open of [
      () => page.keyboard.press('F1'),
      () => page.keyboard.press('?'),
      () => page.getByRole('button', { name: 'Keyboard shortcuts' }).click(),
    ]) {
      await blur(page);
      await open();
      await expect(dialog).toBeVisible();
      await expect(dialog.getByRole('button', { name: 'Close' })).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
    await page.keyboard.press('F1');
    const rows: [string, string][] = [
      ['New listener', 'Ctrl+Shift+L'],
      ['New connection', 'Ctrl+Shift+O'],
      ['New UDP endpoint', 'Ctrl+Shift+D'],
      ['Search the traffic log', 'Ctrl+F'],
      ['Send the message', 'Ctrl+Enter'],
      ['Save the message', 'Ctrl+S'],
      ['Next endpoint in the sidebar', 'Alt+↓'],
      ['Previous endpoint in the sidebar', 'Alt+↑'],
      ['Endpoint 1 to 9 of the sidebar', 'Ctrl+1 … Ctrl+9'],
      ['Keyboard shortcuts (this list)', 'F1 or ?'],
    ];
    const table = dialog.getByRole('table', { name: 'Shortcuts' });
    for (const [action, keys] of rows) await expect(table.getByRole('row', { name: `${action} ${keys}` })).toBeVisible();
    await expect(dialog.getByRole('table', { name: 'Saved message shortcuts' }).getByRole('row', { name: /Send saved message 1 to 9.* Alt\+1 … Alt\+9/ })).toBeVisible();
  });
});

test.describe('themes', () => {
  test('follow the OS, and a manual choice wins and survives a reload', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await backgroundLuminance(page)).toBeLessThan(0.05);
    await page.emulateMedia({ colorScheme: 'light' });
    expect(await backgroundLuminance(page)).toBeGreaterThan(0.85);

    const theme = page.getByRole('combobox', { name: 'Theme' });
    await expect(theme).toHaveValue('system');
    await theme.selectOption({ label: 'Dark' });
    expect(await backgroundLuminance(page)).toBeLessThan(0.05);
    // The session keeps the choice; it saves UI state once changes settle (300 ms debounce).
    await page.waitForTimeout(1000);
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
    await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
    expect(await backgroundLuminance(page)).toBeLessThan(0.05);

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'Light' });
    expect(await backgroundLuminance(page)).toBeGreaterThan(0.85);
    // Panels and the traffic log follow too, not only the page.
    await openListener(page);
    expect(await backgroundLuminance(page, '[role="region"]')).toBeGreaterThan(0.85);

    await page.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'System' });
    expect(await backgroundLuminance(page)).toBeLessThan(0.05);
  });
});

test.describe('engine unreachable', () => {
  test('every workspace says its state is unknown and an alert says what happened', async ({ page, webHost }) => {
    const { port } = await openListener(page);
    await openConnection(page, '127.0.0.1', port);
    await openUdp(page);
    await expect(page.getByRole('button', { name: /^Connection / })).toContainText('Established');
    await expect(page.getByRole('button', { name: /^Listener / })).toContainText('Listening');

    webHost!.process.kill('SIGKILL');
    const alert = page.getByRole('main').getByRole('alert').filter({ hasText: 'disconnected' });
    await expect(alert).toBeVisible();
    await expect(page.locator('body')).not.toContainText(STATE_WORDS);
    // The sidebar says it short; the workspace in full.
    for (const kind of ['Listener', 'Connection', 'UDP endpoint']) {
      const item = page.getByRole('button', { name: new RegExp(`^${kind} `) }).first();
      await expect(item).toContainText('Unknown');
    }
    await expect(page.getByRole('main').getByRole('region').first()).toContainText('Unknown (engine disconnected)');
  });

  test('on reconnecting, a fresh snapshot replaces the stale state', async ({ page }) => {
    // Route the page's engine WebSocket through the test, so it can be cut and restored.
    let down = false;
    let current: WebSocketRoute | null = null;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      if (down) {
        void ws.close();
        return;
      }
      current = ws;
      ws.connectToServer();
    });
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
    const { region, port } = await openListener(page);
    await expect(region).toContainText('Listening');
    await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(1);

    down = true;
    await (current as WebSocketRoute | null)?.close();
    await expect(page.getByRole('main').getByRole('alert').filter({ hasText: 'disconnected' })).toBeVisible();
    await expect(region).toContainText('Unknown (engine disconnected)');

    // Meanwhile the engine goes on: a client connects and stays.
    const client = startPeer('ncat', ['127.0.0.1', String(port)]);
    try {
      await page.waitForTimeout(500);
      await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(1);

      down = false;
      await expect(page.getByRole('main').getByRole('alert').filter({ hasText: 'disconnected' })).toBeHidden({ timeout: 15_000 });
      await expect(region).toContainText('Listening');
      await expect(region).not.toContainText('Unknown (engine disconnected)');
      await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(2);
    } finally {
      client.kill();
    }
  });
});

test.describe('npm start without an Electron binary', () => {
  test('starts browser mode, says so in one line, opens the browser without the token on its command line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockscope-start-'));
    const record = join(dir, 'opener-argv.txt');
    // A harmless stand-in for the desktop's URL opener: records its arguments, opens nothing.
    const opener = join(dir, 'xdg-open');
    writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
    chmodSync(opener, 0o755);
    const noElectron = join(dir, 'no-electron');
    const child = spawn(process.execPath, ['scripts/start-electron.mjs', '--port', '0', '--data-dir', join(dir, 'data'), '--no-sandbox'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH ?? ''}`,
        BROWSER: opener,
        // Electron's own override: points the binary lookup at an empty folder, so "no binary" holds here even where one is installed.
        ELECTRON_OVERRIDE_DIST_PATH: noElectron,
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await expect.poll(() => out, { timeout: 15_000 }).toMatch(/^Sockscope UI: \S+$/m);
      const url = new URL(/^Sockscope UI: (\S+)$/m.exec(out)?.[1] as string);
      const token = url.searchParams.get('token') ?? '';
      const lines = out.trim().split('\n');
      expect(lines[0]).toMatch(/^sockscope: the Electron binary is not installed, so the app opens in your default browser instead/);
      expect(lines.filter((l) => l.startsWith('sockscope:'))).toHaveLength(1);

      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Sockscope</title>');

      await expect.poll(() => existsSync(record), { timeout: 10_000 }).toBe(true);
      const argv = readFileSync(record, 'utf8');
      expect(argv.length).toBeGreaterThan(0);
      expect(token.length).toBeGreaterThan(0);
      expect(argv).not.toContain(token);

      // Ctrl-C to the launcher reaches the host: both exit, the port closes.
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
