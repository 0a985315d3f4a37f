import { connect } from 'node:net';
import { expect, test } from './fixtures';
import { freePort, openConnection, openListener, sendMessage, startPeer, waitForPort } from './helpers';

test('a listener on port 0 accepts a client from another process; messages flow both ways', async ({ page }) => {
  const { region, port } = await openListener(page);
  expect(port).toBeGreaterThan(0);
  await expect(region).toContainText('Listening');
  await expect(page.getByRole('region', { name: `Listener 127.0.0.1:${port}` })).toBeVisible();
  // Rows are exactly the header and one per client.
  await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(1);

  // The client is a separate process: socat, reading stdin and printing what arrives.
  const client = startPeer('socat', ['-', `TCP:127.0.0.1:${port}`]);
  try {
    const clients = region.getByRole('table', { name: 'Clients' });
    await expect(clients.getByRole('row')).toHaveCount(2);
    await expect(clients.getByRole('row', { name: /127\.0\.0\.1:\d+/ })).toHaveCount(1);
    await expect(clients).toContainText('Established');

    client.stdin?.write('hello from outside\n');
    const traffic = region.getByRole('log', { name: 'Traffic' });
    await expect(traffic).toContainText('hello from outside␊');

    await sendMessage(region, 'hi back', 'CRLF');
    await expect(traffic).toContainText('hi back␍␊');
    await expect.poll(() => client.output()).toContain('hi back\r\n');

    // Counters: 19 bytes in, 9 bytes out, in the client row.
    await expect(clients.getByRole('row').nth(1)).toContainText('19 B');
    await expect(clients.getByRole('row').nth(1)).toContainText('9 B');
  } finally {
    client.kill();
  }
});

test('a connection to a local socat echo server sees its echo', async ({ page }) => {
  const port = await freePort();
  const echo = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:cat']);
  try {
    await waitForPort(port);
    const region = await openConnection(page, '127.0.0.1', port);
    await expect(region).toContainText('Established');
    await sendMessage(region, 'ping\\x01');
    const traffic = region.getByRole('log', { name: 'Traffic' });
    await expect(traffic.getByText('→ out')).toHaveCount(1);
    await expect(traffic.getByText('← in')).toHaveCount(1);
    await expect(traffic).toContainText('ping␁␊');
    await expect(region).toContainText(`127.0.0.1:${port}`);
  } finally {
    echo.kill();
  }
});

test('connecting to a closed port shows ECONNREFUSED explained', async ({ page }) => {
  const port = await freePort();
  const region = await openConnection(page, '127.0.0.1', port);
  const alert = region.getByRole('alert');
  await expect(alert).toContainText('ECONNREFUSED');
  await expect(alert).toContainText(/nothing is listening/i);
  await expect(region).toContainText('Closed');
});

test('a second listener on a busy port shows EADDRINUSE explained, and the first keeps working', async ({ page }) => {
  const { region: first, port, show: showFirst } = await openListener(page);
  const { region: second } = await openListener(page, { port: String(port) });
  const alert = second.getByRole('alert');
  await expect(alert).toContainText('EADDRINUSE');
  await expect(alert).toContainText(/already/i);
  await expect(second).toContainText('Closed');
  // One endpoint's failure never touches another (both are named for the same address: the sidebar tells them apart).
  await showFirst();
  await expect(first).toContainText('Listening');
  await new Promise<void>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.end();
      resolve();
    });
    s.on('error', reject);
  });
  await expect(first.getByRole('table', { name: 'Clients' }).getByRole('row', { name: /127\.0\.0\.1:\d+/ })).toHaveCount(1);
});

test('bad input is refused at the field, with nothing opened', async ({ page }) => {
  await page.getByRole('button', { name: 'New connection', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('70000');
  await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(dialog).toContainText('out of range');
  await expect(dialog.getByRole('textbox', { name: 'Port', exact: true })).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('region')).toHaveCount(0);
});

test('a reload (or a second tab) gets a snapshot of every endpoint, its state and recent traffic, and carries on', async ({ page }) => {
  const { region, port } = await openListener(page);
  const client = startPeer('socat', ['-', `TCP:127.0.0.1:${port}`]);
  try {
    client.stdin?.write('before reload\n');
    await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('before reload␊');
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
    const again = page.getByRole('region', { name: `Listener 127.0.0.1:${port}` });
    await expect(again).toContainText('Listening');
    await expect(again.getByRole('table', { name: 'Clients' })).toContainText('Established');
    const traffic = again.getByRole('log', { name: 'Traffic' });
    await expect(traffic).toContainText('before reload␊');
    client.stdin?.write('after reload\n');
    await expect(traffic).toContainText('after reload␊');

    const second = await page.context().newPage();
    await second.goto(page.url());
    await expect(second.locator('html')).toHaveAttribute('data-app-state', 'ready');
    await expect(second.getByRole('region', { name: `Listener 127.0.0.1:${port}` }).getByRole('log', { name: 'Traffic' })).toContainText('after reload␊');
  } finally {
    client.kill();
  }
});

test('the Happy Eyeballs option reaches the engine and the workspace says how the attempts were made', async ({ page }) => {
  const port = await freePort();
  await page.getByRole('button', { name: 'New connection', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New connection' });
  await dialog.getByRole('textbox', { name: 'Host', exact: true }).fill('127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill(String(port));
  await dialog.getByText('Options', { exact: true }).click();
  await dialog.getByRole('checkbox', { name: 'Happy Eyeballs (alternate IPv6/IPv4)' }).check();
  await dialog.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(dialog).toBeHidden();
  const region = page.getByRole('region', { name: /^Connection / });
  await expect(region.getByRole('alert')).toContainText('ECONNREFUSED');
  // An address literal: nothing to race, so Node's autoSelectFamily is not used, and the workspace says so.
  await expect(region).toContainText('Happy Eyeballs not applied: 127.0.0.1 is an address literal');
  await expect(region.getByRole('list', { name: 'Connection attempts' })).toContainText('ECONNREFUSED');
});
