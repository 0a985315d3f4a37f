/**
 * System sockets through the UI, on real sockets (127.0.0.1 only): Sockscope's own listener in the
 * OS table with its marker, a connection's life (ESTABLISHED → TIME_WAIT on the closing side),
 * a process with a hostile name shown as text, sorting, and a Filter that is only ever text.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { freePort, openConnection, openListener, startPeer, waitForPort } from './helpers';

async function openSystemSockets(page: Page): Promise<Locator> {
  await page.getByRole('tab', { name: 'System sockets' }).click();
  const table = page.getByRole('table', { name: 'System sockets' });
  await expect(table).toBeVisible();
  for (const name of ['Proto', 'Local', 'Remote', 'State', 'PID', 'Process']) {
    await expect(table.getByRole('columnheader', { name, exact: true })).toBeVisible();
  }
  return table;
}

/** Rows with these texts anywhere, and (when given) this State: the fourth cell starts with it. */
const rowsWith = (table: Locator, texts: string[], state?: string) => {
  const rows = texts.reduce((r, text) => r.filter({ hasText: text }), table.getByRole('row'));
  return state ? rows.filter({ has: table.page().locator('td:nth-child(4)', { hasText: new RegExp(`^${state}\\b`) }) }) : rows;
};

test('our listener shows in the OS table as LISTEN, with the Sockscope endpoint marker that leads to its workspace', async ({ page }) => {
  const { port } = await openListener(page);
  const table = await openSystemSockets(page);
  await page.getByRole('textbox', { name: 'Filter' }).fill(String(port));
  const listenRow = rowsWith(table, [`127.0.0.1:${port}`], 'LISTEN');
  await expect(listenRow).toHaveCount(1);
  const marker = listenRow.getByRole('button', { name: 'Sockscope endpoint', exact: true });
  await expect(marker).toBeVisible();
  // Our own process: the PID cell holds the engine's pid, and the Filter kept only matching rows.
  for (const text of await table.getByRole('row').allInnerTexts()) {
    if (!text.startsWith('Proto')) expect(text).toContain(String(port));
  }
  await marker.click();
  await expect(page.getByRole('tab', { name: 'Endpoints' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: `Listener 127.0.0.1:${port}` })).toBeVisible();
});

test('a connection of ours goes ESTABLISHED, and after we close first, TIME_WAIT on our side, still marked', async ({ page }) => {
  const { port } = await openListener(page);
  const connection = await openConnection(page, '127.0.0.1', port);
  await expect(connection).toContainText('Established');
  const title = await connection.locator('h2').first().innerText();
  const clientPort = Number(/^Connection 127\.0\.0\.1:(\d+)/.exec(title)?.[1] ?? 'NaN');
  expect(clientPort).toBeGreaterThan(0);

  const table = await openSystemSockets(page);
  await page.getByRole('textbox', { name: 'Filter' }).fill(String(clientPort));
  const ours = rowsWith(table, [`127.0.0.1:${clientPort}`, `127.0.0.1:${port}`]);
  await expect(rowsWith(table, [`127.0.0.1:${clientPort}`, `127.0.0.1:${port}`], 'ESTABLISHED')).toHaveCount(2);
  await expect(ours.getByRole('button', { name: 'Sockscope endpoint', exact: true })).toHaveCount(2);

  // Close the connection from its row (it sends FIN first), then the listener (which closes its client).
  // The row whose Local (second cell) is the connection's own address and Remote (third) the
  // listener: other processes on this machine may reuse the same local port towards elsewhere.
  const cell = (n: number, text: string) => page.locator(`td:nth-child(${n})`, { hasText: new RegExp(`^${text.replace(/\./g, '\\.')}$`) });
  const clientRow = table
    .getByRole('row')
    .filter({ has: cell(2, `127.0.0.1:${clientPort}`) })
    .filter({ has: cell(3, `127.0.0.1:${port}`) });
  await expect(clientRow).toHaveCount(1);
  await clientRow.getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByRole('textbox', { name: 'Filter' }).fill(String(port));
  await rowsWith(table, [`127.0.0.1:${port}`], 'LISTEN').getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByRole('textbox', { name: 'Filter' }).fill(String(clientPort));
  const timeWait = clientRow.filter({ has: page.locator('td:nth-child(4)', { hasText: /^TIME_WAIT\b/ }) });
  await expect(timeWait).toHaveCount(1);
  await expect(timeWait.getByRole('button', { name: 'Sockscope endpoint', exact: true })).toHaveCount(1);
  await expect(timeWait.getByRole('cell').nth(3)).toHaveAttribute('title', /closed first/);
});

test('a process named like markup is shown as text; the Filter runs nothing; headers sort', async ({ page }) => {
  test.skip(process.platform !== 'linux', 'renames the peer through /proc/self/comm (Linux)');
  // A peer process that calls itself `<svg onload=1>` (what ss prints as its name) and listens.
  const peer = spawn(
    process.execPath,
    [
      '-e',
      "require('fs').writeFileSync('/proc/self/comm', '<svg onload=1>');" +
        "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));" +
        'setTimeout(() => process.exit(0), 55000);',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const marker = join(tmpdir(), `sockscope-e2e-${randomBytes(6).toString('hex')}`);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`peer did not listen: ${out}`)), 10_000);
      peer.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /PORT (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      peer.once('exit', (code) => reject(new Error(`peer exited (${code}): ${out}`)));
    });
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });

    const table = await openSystemSockets(page);
    const filter = page.getByRole('textbox', { name: 'Filter' });
    await filter.fill(String(port));
    const row = rowsWith(table, [`127.0.0.1:${port}`], 'LISTEN');
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('cell', { name: '<svg onload=1>', exact: true })).toBeVisible();
    await expect(row.getByRole('cell', { name: String(peer.pid), exact: true })).toBeVisible();
    await expect(row.getByRole('button', { name: 'Sockscope endpoint' })).toHaveCount(0);
    await expect(page.locator('svg')).toHaveCount(0);
    await expect(page.locator('[onload]')).toHaveCount(0);

    // The Filter is text matched in the page: shell syntax in it runs nothing, anywhere.
    for (const text of [`;touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `| touch ${marker}`]) {
      await filter.fill(text);
      await expect(table.getByText('No sockets match.')).toBeVisible();
    }
    // A few refreshes (1 s each) with the hostile filter in place.
    const summary = page.locator('.sys-summary');
    const before = await summary.innerText();
    await expect(summary).not.toHaveText(before, { timeout: 5000 });
    expect(existsSync(marker), `${marker} must not exist`).toBe(false);
    expect(dialogs).toEqual([]);

    // Sorting: click a header, it says so (aria-sort); click again, the other way.
    await filter.fill('');
    const pid = table.getByRole('columnheader', { name: 'PID' });
    await pid.getByRole('button').click();
    await expect(pid).toHaveAttribute('aria-sort', 'ascending');
    await pid.getByRole('button').click();
    await expect(pid).toHaveAttribute('aria-sort', 'descending');
    await expect(table.getByRole('columnheader', { name: 'Local' })).toHaveAttribute('aria-sort', 'none');
  } finally {
    peer.kill('SIGKILL');
    rmSync(marker, { force: true });
  }
});

test('names with a newline or U+202E are shown as what they are, forge no row, and name the real holder', async ({ page }) => {
  test.skip(process.platform !== 'linux', 'renames the peer through /proc/self/comm and binds abstract Unix sockets (Linux)');
  // The peer calls itself `a\nb‮gnp.exe` (which would read `a` / `bexe.png`), listens on a loopback
  // port, and binds an abstract Unix socket whose name spells an sshd (pid 1) listener on another.
  const fakePort = await freePort();
  const forged = `\0x\ntcp   LISTEN 0 128 127.0.0.1:${fakePort} 0.0.0.0:* users:(("sshd",pid=1,fd=3))`;
  const peer = spawn(
    process.execPath,
    [
      '-e',
      "const net = require('net'); require('fs').writeFileSync('/proc/self/comm', 'a\\nb\\u202Egnp.exe');" +
        `net.createServer().listen(${JSON.stringify(forged)}, () => {` +
        "const s = net.createServer().listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port)); });" +
        'setTimeout(() => process.exit(0), 55000);',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`peer did not listen: ${out}`)), 10_000);
      peer.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /PORT (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      peer.once('exit', (code) => reject(new Error(`peer exited (${code}): ${out}`)));
    });

    const table = await openSystemSockets(page);
    await page.getByRole('checkbox', { name: 'Unix sockets' }).check();
    const filter = page.getByRole('textbox', { name: 'Filter' });
    await filter.fill(String(port));
    const row = rowsWith(table, [`127.0.0.1:${port}`], 'LISTEN');
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('cell', { name: 'a␊b⟨U+202E⟩gnp.exe', exact: true })).toBeVisible();
    await expect(row.getByRole('cell', { name: String(peer.pid), exact: true })).toBeVisible();

    // The spelled port is only ever text inside the Unix socket's name, shown with its newline.
    await filter.fill(String(fakePort));
    const spelled = rowsWith(table, [`127.0.0.1:${fakePort}`]);
    await expect(spelled).toHaveCount(1);
    await expect(spelled.getByRole('cell').first()).toHaveText('unix');
    await expect(spelled.getByRole('cell', { name: /^@x␊tcp +LISTEN/ })).toBeVisible();
    await expect(spelled.getByRole('cell', { name: 'a␊b⟨U+202E⟩gnp.exe', exact: true })).toBeVisible();
    await expect(spelled.getByRole('cell', { name: String(peer.pid), exact: true })).toBeVisible();
    for (const text of await table.getByRole('row').allInnerTexts()) expect(text).not.toMatch(/\u202E/);

    // Binding the peer's port: the explanation names the peer, visibly; nobody is blamed for the other.
    const { region } = await openListener(page, { port: String(port) });
    const alert = region.getByRole('alert');
    await expect(alert).toContainText('EADDRINUSE');
    await expect(alert).toContainText(`a␊b⟨U+202E⟩gnp.exe (pid ${peer.pid})`);
    await expect(alert).not.toContainText('sshd');
  } finally {
    peer.kill('SIGKILL');
  }
});

test('EADDRINUSE on a port another process holds names that process, from the OS table', async ({ page }) => {
  const port = await freePort();
  const socat = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE']);
  try {
    await waitForPort(port);
    const { region } = await openListener(page, { port: String(port) });
    const alert = region.getByRole('alert');
    await expect(alert).toContainText('EADDRINUSE');
    await expect(alert).toContainText(`socat (pid ${socat.pid})`);
  } finally {
    socat.kill();
  }
});
