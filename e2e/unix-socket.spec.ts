import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { sendMessage, showEndpoint } from './helpers';

test.skip(process.platform === 'win32', 'Unix domain sockets (Windows has named pipes)');

test('a Unix-socket listener and connection talk through a Path; a stale socket file is explained and removable', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'sockscope-unix-'));
  const path = join(dir, 'demo.sock');
  try {
    await page.getByRole('button', { name: 'New listener', exact: true }).click();
    let dialog = page.getByRole('dialog', { name: 'New listener' });
    await dialog.getByRole('checkbox', { name: 'Unix domain socket' }).check();
    await dialog.getByRole('textbox', { name: 'Path' }).fill(path);
    await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
    const listener = page.getByRole('region', { name: `Listener ${path}` });
    await expect(listener).toContainText('Listening');
    expect(existsSync(path)).toBe(true);

    await page.getByRole('button', { name: 'New connection', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'New connection' });
    await dialog.getByRole('checkbox', { name: 'Unix domain socket' }).check();
    await dialog.getByRole('textbox', { name: 'Path' }).fill(path);
    await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
    const connection = page.getByRole('region', { name: /^Connection / });
    await expect(connection).toContainText('Established');
    await sendMessage(connection, 'over a unix socket');
    // Only the selected endpoint's workspace is shown: the sidebar brings the listener back.
    await showEndpoint(page, `Listener ${path}`);
    await expect(listener.getByRole('log', { name: 'Traffic' })).toContainText('over a unix socket␊');

    // Closing the listener removes its socket file.
    await listener.getByRole('button', { name: 'Close', exact: true }).click();
    await expect(listener).toContainText('Closed');
    await expect.poll(() => existsSync(path)).toBe(false);

    // A socket file left by a process that died: bound, never unlinked.
    const stale = join(dir, 'stale.sock');
    const made = spawnSync('python3', ['-c', `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(stale)})`]);
    expect(made.status).toBe(0);
    await page.getByRole('button', { name: 'New listener', exact: true }).click();
    dialog = page.getByRole('dialog', { name: 'New listener' });
    await dialog.getByRole('checkbox', { name: 'Unix domain socket' }).check();
    await dialog.getByRole('textbox', { name: 'Path' }).fill(stale);
    await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
    const failed = page.getByRole('region', { name: `Listener ${stale}` });
    const alert = failed.getByRole('alert');
    await expect(alert).toContainText('ESTALE_SOCKET');
    await expect(alert).toContainText(/nothing listens/i);
    await alert.getByRole('button', { name: 'Remove stale socket file' }).click();
    await expect(alert).toContainText('Removed');
    expect(existsSync(stale)).toBe(false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
