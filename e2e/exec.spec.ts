import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { showPanelTab, startPeer } from './helpers';

async function openExecListener(page: Page, command: string, mode: 'Concurrent' | 'One at a time') {
  await page.getByRole('button', { name: 'New listener', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New listener' });
  await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
  await dialog.getByRole('combobox', { name: 'Behaviour' }).selectOption({ label: 'Run a command' });
  await expect(dialog.getByRole('note')).toContainText('runs this program as you');
  await dialog.getByRole('textbox', { name: 'Command' }).fill(command);
  await dialog.getByRole('radio', { name: mode }).check();
  await dialog.getByRole('button', { name: 'Listen', exact: true }).click();
  await expect(dialog).toBeHidden();
  const region = page.getByRole('region', { name: /^Listener 127\.0\.0\.1:\d+$/ });
  await expect(region).toContainText('Listening');
  const title = (await region.getByRole('heading').first().innerText()).trim();
  return { region, port: Number(/:(\d+)$/.exec(title)?.[1]) };
}

test('Run a command: each client talks to /usr/bin/tr; one at a time makes the next one wait', async ({ page }) => {
  const { region, port } = await openExecListener(page, '/usr/bin/tr a-z A-Z', 'One at a time');
  await expect(region.getByRole('group', { name: 'Command' })).toContainText('/usr/bin/tr a-z A-Z');

  const clients = region.getByRole('table', { name: 'Clients' });
  const first = startPeer('ncat', ['127.0.0.1', String(port)]);
  let second: ReturnType<typeof startPeer> | null = null;
  try {
    // The second connects once the first is accepted, so which one waits is known.
    await expect(clients.getByRole('row')).toHaveCount(2);
    second = startPeer('ncat', ['127.0.0.1', String(port)]);
    await expect(clients.getByRole('row')).toHaveCount(3);
    await expect(clients).toContainText('waiting');
    first.stdin?.end('hello exec\n');
    await expect.poll(() => first.output()).toBe('HELLO EXEC\n');
    const next = second;
    next.stdin?.end('second\n');
    await expect.poll(() => next.output()).toBe('SECOND\n');
    await showPanelTab(region, 'Socket calls');
    await expect(region.getByText(/exited with status 0/).first()).toBeVisible();
  } finally {
    first.kill();
    second?.kill();
  }
});
