import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { expect, type Locator, type Page } from '@playwright/test';

/** The sidebar tree of endpoints (each item a button named like its workspace). */
export function sidebar(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Open endpoints' });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A sidebar item whose name starts with `title` (the nth such, in creation order). */
export function sidebarItem(page: Page, title: string | RegExp, nth = 0): Locator {
  const name = typeof title === 'string' ? new RegExp(`^${escapeRegExp(title)}`) : title;
  return sidebar(page).getByRole('button', { name }).nth(nth);
}

/** Shows an endpoint's workspace by clicking its sidebar item; resolves once it is on screen. */
export async function showEndpoint(page: Page, title: string | RegExp, nth = 0): Promise<Locator> {
  await sidebarItem(page, title, nth).click();
  const region = typeof title === 'string' ? page.getByRole('region', { name: title, exact: true }) : page.getByRole('region', { name: title });
  await expect(region).toBeVisible();
  return region;
}

export interface Opened {
  /** The workspace (only the selected endpoint's is shown: call `show()` after opening another). */
  region: Locator;
  /** Its title, e.g. `Listener 127.0.0.1:43521`. */
  title: string;
  /** Selects it again in the sidebar. */
  show(): Promise<void>;
}

/** Creates an endpoint through a dialog, waits for its workspace (a new endpoint is selected), reads its title. */
async function openThrough(page: Page, kind: 'Listener' | 'Connection' | 'UDP endpoint', fill: () => Promise<void>, settled: RegExp): Promise<Opened> {
  const prefix = new RegExp(`^${kind} `);
  const index = await sidebar(page).getByRole('button', { name: prefix }).count();
  await fill();
  const shown = page.getByRole('region', { name: prefix });
  await expect(sidebar(page).getByRole('button', { name: prefix })).toHaveCount(index + 1);
  await expect(shown).toContainText(settled);
  const title = (await shown.getByRole('heading').first().innerText()).trim();
  const item = sidebar(page).getByRole('button', { name: prefix }).nth(index);
  return {
    region: page.getByRole('region', { name: title, exact: true }),
    title,
    show: async () => {
      await item.click();
      await expect(page.getByRole('region', { name: title, exact: true })).toBeVisible();
    },
  };
}

/** Opens a listener through the UI and returns its workspace and the port the kernel chose. */
export async function openListener(page: Page, opts: { bindAddress?: string; port?: string } = {}): Promise<Opened & { port: number }> {
  const opened = await openThrough(
    page,
    'Listener',
    async () => {
      await page.getByRole('button', { name: 'New listener', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New listener' });
      await dialog.getByRole('textbox', { name: 'Bind address' }).fill(opts.bindAddress ?? '127.0.0.1');
      await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(opts.port ?? '0');
      await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
      await expect(dialog).toBeHidden();
    },
    /Listening|Closed/,
  );
  const port = Number(/:(\d+)$/.exec(opened.title)?.[1] ?? 'NaN');
  return { ...opened, port };
}

/** Opens a connection through the UI; returns its workspace (a Locator, as before) with `title` and `show()`. */
export async function openConnection(page: Page, host: string, port: string | number): Promise<Locator & Omit<Opened, 'region'>> {
  const opened = await openThrough(
    page,
    'Connection',
    async () => {
      await page.getByRole('button', { name: 'New connection', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New connection' });
      await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill(host);
      await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(port));
      await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
      await expect(dialog).toBeHidden();
    },
    /Established|Closed/,
  );
  return Object.assign(opened.region, { title: opened.title, show: opened.show });
}

/** Opens a UDP endpoint through the UI. */
export async function openUdpEndpoint(page: Page, opts: { bindAddress?: string; port?: string } = {}): Promise<Opened & { port: number }> {
  const opened = await openThrough(
    page,
    'UDP endpoint',
    async () => {
      await page.getByRole('button', { name: 'New UDP endpoint', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'New UDP endpoint' });
      await dialog.getByRole('textbox', { name: 'Bind address' }).fill(opts.bindAddress ?? '127.0.0.1');
      await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(opts.port ?? '0');
      await dialog.getByRole('button', { name: 'Bind', exact: true }).click();
      await expect(dialog).toBeHidden();
    },
    /Bound|Closed/,
  );
  return { ...opened, port: Number(/:(\d+)$/.exec(opened.title)?.[1] ?? 'NaN') };
}

/** Shows a side-panel tab of the workspace on screen (Socket calls, Charts, Behaviour, Recording, Saved…). */
export async function showPanelTab(region: Locator, name: string): Promise<void> {
  const tab = region.getByRole('tab', { name, exact: true });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
}

export async function sendMessage(region: Locator, text: string, lineEnding: 'None' | 'LF' | 'CRLF' = 'LF'): Promise<void> {
  await region.getByRole('combobox', { name: 'Line ending' }).selectOption({ label: lineEnding });
  await region.getByRole('textbox', { name: 'Message' }).fill(text);
  await region.getByRole('button', { name: 'Send', exact: true }).click();
}

/** A port nothing listens on right now (bound, read, released). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, host, r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A child process (socat, ncat) that the test owns and always kills. */
export function startPeer(cmd: string, args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('latin1')));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString('latin1')));
  return Object.assign(child, { output: () => out });
}

export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<void> {
  const { connect } = await import('node:net');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, host, () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `body` with a socat echo server on 127.0.0.1 (every connection, its bytes sent back); kills it after, pass or fail. */
export async function withSocatEcho(body: (port: number) => Promise<void>): Promise<void> {
  const port = await freePort();
  const echo = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE']);
  try {
    await waitForPort(port);
    await body(port);
  } finally {
    echo.kill();
  }
}

/** Runs `body` on a connection to a socat echo server, its workspace on the Script tab (the echo killed after). */
export async function withScriptTabOverEcho(page: Page, body: (region: Locator, port: number) => Promise<void>): Promise<void> {
  await withSocatEcho(async (port) => {
    const region = await openConnection(page, '127.0.0.1', port);
    await showPanelTab(region, 'Script');
    await body(region, port);
  });
}
