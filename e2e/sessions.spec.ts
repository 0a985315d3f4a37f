/**
 * Sessions through the UI, in browser mode: the host is stopped and started again on the same
 * `--data-dir`, and what the person set up is back (a listener on its port that a real peer reaches,
 * a connection shown closed with Reconnect, saved messages); a corrupt session file is kept aside
 * with a one-line notice; Export then Import round-trips; a hostile file is refused and changes
 * nothing.
 */
import { chromium, type Browser, type Locator, type Page } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS, chromiumPath, expect, startWebHost, stopWebHost, test, type WebHost } from './fixtures';
import { openConnection, openListener, startPeer } from './helpers';

let browser: Browser;
let dataDir: string;
const hosts: WebHost[] = [];
const pageErrors: string[] = [];

test.beforeEach(async ({ appMode }) => {
  test.skip(appMode !== 'browser', 'restarts the browser-mode host on one --data-dir');
  dataDir = mkdtempSync(join(tmpdir(), 'sockscope-e2e-session-'));
  pageErrors.length = 0;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
});

test.afterEach(async ({ appMode }) => {
  if (appMode !== 'browser') return;
  await browser.close();
  for (const h of hosts.splice(0)) await stopWebHost(h);
  rmSync(dataDir, { recursive: true, force: true });
  expect(pageErrors, 'uncaught errors in the page').toEqual([]);
});

/** `npm run web -- --data-dir DIR`, as a person starts it again. */
async function startHost(): Promise<WebHost> {
  const h = await startWebHost(dataDir);
  hosts.push(h);
  return h;
}

/** Quits the host as Ctrl-C does (the session is saved on the way out). */
async function stopHost(h: WebHost): Promise<void> {
  expect(await stopWebHost(h)).toBe(0);
  hosts.splice(hosts.indexOf(h), 1);
}

async function openApp(h: WebHost): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(h.url);
  await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
  return page;
}

/** Shows an endpoint's workspace through the sidebar item named like it. */
async function show(page: Page, name: string | RegExp): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Open endpoints' }).getByRole('button', { name }).first().click();
  return page.getByRole('region', { name });
}

async function saveFromComposer(region: Locator, text: string, name: string): Promise<void> {
  await region.getByRole('textbox', { name: 'Message' }).fill(text);
  await region.getByRole('button', { name: 'Save message', exact: true }).click();
  await region.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await region.getByRole('button', { name: 'Save message', exact: true }).click();
  await expect(region.getByRole('textbox', { name: 'Name', exact: true })).toBeHidden();
}

async function savedList(region: Locator): Promise<Locator> {
  const tab = region.getByRole('tab', { name: 'Saved', exact: true });
  if ((await tab.count()) > 0) await tab.click();
  return region.getByRole('list', { name: 'Saved messages' });
}

async function importFile(page: Page, name: string, content: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import session', exact: true }).click();
  await (await chooser).setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
}

test('restart and restore: the listener is back on its port and a real peer connects; the connection is back closed with Reconnect', async () => {
  const first = await startHost();
  let page = await openApp(first);
  const { port } = await openListener(page, { bindAddress: '127.0.0.1', port: '0' });
  const connection = await openConnection(page, '127.0.0.1', port);
  await expect(connection).toContainText('Established');
  // UI state goes with the session: the listener selected (not the newest endpoint), a dark theme.
  await show(page, `Listener 127.0.0.1:${port}`);
  await page.getByRole('combobox', { name: 'Theme' }).selectOption({ label: 'Dark' });
  // The listener's clients folded away in the sidebar stay folded.
  const sidebar = page.getByRole('navigation', { name: 'Open endpoints' });
  await sidebar.getByRole('button', { name: 'Hide clients' }).click();
  await expect(sidebar.getByRole('button', { name: 'Show clients' })).toHaveAttribute('aria-expanded', 'false');
  await expect.poll(() => sessionFile().includes('"theme": "dark"') && sessionFile().includes('"clients:'), { timeout: 5000 }).toBe(true);
  await page.close();
  await stopHost(first);

  const second = await startHost();
  page = await openApp(second);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('combobox', { name: 'Theme' })).toHaveValue('dark');
  await expect(page.getByRole('navigation', { name: 'Open endpoints' }).getByRole('button', { name: `Listener 127.0.0.1:${port}` })).toHaveAttribute('aria-current', 'true');
  const listener = page.getByRole('region', { name: `Listener 127.0.0.1:${port}` });
  await expect(listener.getByText('Listening', { exact: true })).toBeVisible();

  // socat, as any client, reaches it on the same port, and the listener sees what it sends.
  const peer = startPeer('socat', ['-', `TCP:127.0.0.1:${port}`]);
  try {
    peer.stdin?.write('hello after restart\n');
    await expect(listener.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(2);
    // A client again, and still folded away in the sidebar as it was before the restart.
    await expect(page.getByRole('navigation', { name: 'Open endpoints' }).getByRole('button', { name: 'Show clients' })).toHaveAttribute('aria-expanded', 'false');
    await expect(listener.getByRole('log', { name: 'Traffic' })).toContainText('hello after restart');
  } finally {
    peer.kill();
  }

  const restored = await show(page, new RegExp(`^Connection .*127\\.0\\.0\\.1:${port}`));
  await expect(restored.getByText('Closed', { exact: true })).toBeVisible();
  await restored.getByRole('button', { name: 'Reconnect', exact: true }).click();
  await expect(restored).toContainText('Established');
});

test('a port taken while Sockscope was stopped: EADDRINUSE in that workspace, and Retry opens it once it is free', async () => {
  const first = await startHost();
  let page = await openApp(first);
  const { port } = await openListener(page, { bindAddress: '127.0.0.1', port: '0' });
  await page.close();
  await stopHost(first);

  const squatter = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'SYSTEM:true']);
  try {
    await expect.poll(() => existsListening(port), { timeout: 5000 }).toBe(true);
    const second = await startHost();
    page = await openApp(second);
    const listener = await show(page, /^Listener 127\.0\.0\.1:/);
    await expect(listener.getByRole('alert')).toContainText('EADDRINUSE');
    await expect(listener.getByText('Closed', { exact: true })).toBeVisible();
    squatter.kill();
    await expect.poll(() => existsListening(port), { timeout: 5000 }).toBe(false);
    await listener.getByRole('button', { name: 'Retry', exact: true }).click();
    const reopened = page.getByRole('region', { name: `Listener 127.0.0.1:${port}` });
    await expect(reopened.getByText('Listening', { exact: true })).toBeVisible();
    await expect(reopened.getByRole('alert')).toHaveCount(0);
    await expect(reopened.getByRole('button', { name: 'Retry', exact: true })).toHaveCount(0);
  } finally {
    squatter.kill();
  }
});

test('saved messages survive a restart', async () => {
  const first = await startHost();
  let page = await openApp(first);
  const { port } = await openListener(page, { bindAddress: '127.0.0.1', port: '0' });
  const connection = await openConnection(page, '127.0.0.1', port);
  await expect(connection).toContainText('Established');
  await saveFromComposer(connection, 'PING', 'Ping');
  await expect(await savedList(connection)).toContainText('Ping');
  await page.close();
  await stopHost(first);

  const second = await startHost();
  page = await openApp(second);
  const restored = await show(page, new RegExp(`^Connection .*127\\.0\\.0\\.1:${port}`));
  await expect((await savedList(restored)).getByRole('button', { name: 'Send Ping', exact: true })).toBeAttached();
});

test('a corrupt session file: one-line notice, the app starts empty, the file is kept as a backup', async () => {
  const garbage = '{"format": "sockscope-session", "version": 1, "endpoints": [ {"kind": "tcp-lis';
  writeFileSync(join(dataDir, 'session.json'), garbage);
  const host = await startHost();
  const page = await openApp(host);
  const notice = page.getByRole('main').getByRole('alert').filter({ hasText: 'session file' });
  await expect(notice).toContainText('could not be read: not valid JSON');
  await expect(notice).toContainText('started with an empty session');
  await expect(page.getByRole('region', { name: /^(Listener|Connection|UDP endpoint) / })).toHaveCount(0);
  const backups = readdirSync(dataDir).filter((n) => n.startsWith('session.json.corrupt-'));
  expect(backups).toHaveLength(1);
  expect(readFileSync(join(dataDir, backups[0]!), 'utf8')).toBe(garbage);
  await expect(notice).toContainText(backups[0]!);

  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
  // Dismissed for good: a reload does not bring it back.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
  await expect(page.getByRole('main').getByRole('alert').filter({ hasText: 'session file' })).toHaveCount(0);
});

test('a hostile imported session gets a clear error and changes nothing', async () => {
  const host = await startHost();
  const page = await openApp(host);
  const { port } = await openListener(page, { bindAddress: '127.0.0.1', port: '0' });
  const hostile = JSON.stringify({
    format: 'sockscope-session',
    version: 1,
    endpoints: [{ kind: 'tcp-listener', bindAddress: '127.0.0.1', port: 70000, exec: 'rm -rf ~' }],
    savedMessages: [{ id: 'x', name: '<img src=x onerror=alert(1)>', group: '', format: 'text', content: 'x', lineEnding: 'lf' }],
  });
  await importFile(page, 'evil.json', hostile);
  await page.getByRole('dialog', { name: 'Replace the session?' }).getByRole('button', { name: 'Replace session' }).click();
  const error = page.getByRole('contentinfo').getByRole('alert');
  await expect(error).toContainText('Import failed, nothing changed: session file: endpoints.0');
  // Still the same session: the listener open on its port, no new endpoint.
  await expect(page.getByRole('region', { name: `Listener 127.0.0.1:${port}` }).getByText('Listening', { exact: true })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Open endpoints' }).getByRole('button', { name: /^(Listener|Connection|UDP endpoint) / })).toHaveCount(1);
  await expect(page.locator('img')).toHaveCount(1); // the brand icon only
});

test('Export session, then Import session: the same endpoints, saved messages and settings come back', async () => {
  const host = await startHost();
  const page = await openApp(host);
  const { port } = await openListener(page, { bindAddress: '127.0.0.1', port: '0' });
  const connection = await openConnection(page, '127.0.0.1', port);
  await expect(connection).toContainText('Established');
  await saveFromComposer(connection, 'HELLO', 'Hello');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export session', exact: true }).click();
  const file = await (await download).path();
  const exported = readFileSync(file, 'utf8');
  const doc = JSON.parse(exported) as { format: string; version: number; endpoints: { kind: string; port?: number }[]; savedMessages: { name: string }[] };
  expect(doc).toMatchObject({ format: 'sockscope-session', version: 1 });
  expect(doc.endpoints.map((e) => e.kind)).toEqual(['tcp-listener', 'tcp-connection']);
  expect(doc.endpoints[0]?.port).toBe(port);
  expect(doc.savedMessages.map((m) => m.name)).toEqual(['Hello']);

  // Remove everything, then bring it back from the file.
  for (const name of [/^Connection /, /^Listener /]) {
    const region = await show(page, name);
    await region.getByRole('button', { name: 'Remove', exact: true }).click();
  }
  await expect(page.getByRole('region', { name: /^(Listener|Connection) / })).toHaveCount(0);

  await importFile(page, 'session.json', exported);
  const dialog = page.getByRole('dialog', { name: 'Replace the session?' });
  // Saved messages are still there, so the import asks before replacing them.
  await dialog.getByRole('button', { name: 'Replace session' }).click();
  await expect(page.getByRole('contentinfo')).toContainText('Imported session.json: 2 endpoints, 1 saved message.');
  const listener = await show(page, `Listener 127.0.0.1:${port}`);
  await expect(listener.getByText('Listening', { exact: true })).toBeVisible();
  const restored = await show(page, new RegExp(`^Connection .*127\\.0\\.0\\.1:${port}`));
  await expect(restored.getByRole('button', { name: 'Reconnect', exact: true })).toBeVisible();
  await expect((await savedList(restored)).getByRole('button', { name: 'Send Hello', exact: true })).toBeAttached();
});

test('recent hosts are kept per protocol: a UDP peer is not offered for a TCP connection, and both survive a restart', async () => {
  const first = await startHost();
  let page = await openApp(first);
  const { port: tcpPort } = await openListener(page, { bindAddress: '127.0.0.1', port: '0' });
  const connection = await openConnection(page, '127.0.0.1', tcpPort);
  await expect(connection).toContainText('Established');

  await page.getByRole('button', { name: 'New UDP endpoint', exact: true }).click();
  const udpDialog = page.getByRole('dialog', { name: 'New UDP endpoint' });
  await udpDialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
  await udpDialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
  await udpDialog.getByRole('button', { name: 'Bind', exact: true }).click();
  const udp = page.getByRole('region', { name: /^UDP endpoint / });
  await expect(udp).toContainText('Bound');
  await udp.getByRole('textbox', { name: 'Remote host' }).fill('127.0.0.9');
  await udp.getByRole('textbox', { name: 'Remote port' }).fill('9');
  await udp.getByRole('textbox', { name: 'Message' }).fill('x');
  await udp.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(udp.getByRole('group', { name: 'Recent UDP peers' })).toContainText('127.0.0.9:9');
  await page.close();
  await stopHost(first);

  const second = await startHost();
  page = await openApp(second);
  await page.getByRole('button', { name: 'New connection', exact: true }).click();
  const recent = page.getByRole('dialog', { name: 'New connection' }).getByRole('group', { name: 'Recent hosts' });
  await expect(recent).toContainText(`127.0.0.1:${tcpPort}`);
  await expect(recent).not.toContainText('127.0.0.9');
  // Picking it fills Host and Port.
  await recent.getByRole('button', { name: `127.0.0.1:${tcpPort}` }).click();
  await expect(page.getByRole('dialog', { name: 'New connection' }).getByRole('textbox', { name: 'Port', exact: true })).toHaveValue(String(tcpPort));
  await page.getByRole('dialog', { name: 'New connection' }).getByRole('button', { name: 'Cancel' }).click();
  const restoredUdp = await show(page, /^UDP endpoint /);
  await expect(restoredUdp.getByRole('group', { name: 'Recent UDP peers' })).toContainText('127.0.0.9:9');
  await expect(restoredUdp.getByRole('group', { name: 'Recent UDP peers' })).not.toContainText(`127.0.0.1:${tcpPort}`);
});

function sessionFile(): string {
  try {
    return readFileSync(join(dataDir, 'session.json'), 'utf8');
  } catch {
    return '';
  }
}

/** Whether anything listens on 127.0.0.1:port (asked of the OS, so no connection is used up). */
async function existsListening(port: number): Promise<boolean> {
  const { execFileSync } = await import('node:child_process');
  return execFileSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).includes(`:${port}`);
}
