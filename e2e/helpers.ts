import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens a listener through the UI and returns its workspace and the port the kernel chose. */
export async function openListener(page: Page, opts: { bindAddress?: string; port?: string } = {}): Promise<{ region: Locator; port: number }> {
  // Workspaces appear in creation order: pin this one by its index, not by "the last one".
  const index = await page.getByRole('region', { name: /^Listener / }).count();
  await page.getByRole('button', { name: 'New listener', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New listener' });
  await dialog.getByRole('textbox', { name: 'Bind address' }).fill(opts.bindAddress ?? '127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(opts.port ?? '0');
  await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
  await expect(dialog).toBeHidden();
  const region = page.getByRole('region', { name: /^Listener / }).nth(index);
  await expect(region).toContainText(/Listening|Closed/);
  const name = (await region.getAttribute('aria-labelledby')) ?? '';
  const title = await page.locator(`[id="${name}"]`).innerText();
  const port = Number(/:(\d+)$/.exec(title)?.[1] ?? 'NaN');
  return { region, port };
}

export async function openConnection(page: Page, host: string, port: string | number): Promise<Locator> {
  const index = await page.getByRole('region', { name: /^Connection / }).count();
  await page.getByRole('button', { name: 'New connection', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill(host);
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(port));
  await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(dialog).toBeHidden();
  return page.getByRole('region', { name: /^Connection / }).nth(index);
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
