import { expect, test } from './fixtures';
import { freePort, sendMessage, startPeer } from './helpers';

test('a UDP endpoint on port 0 receives a datagram from socat and replies to the sender', async ({ page }) => {
  await page.getByRole('button', { name: 'New UDP endpoint', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'New UDP endpoint' });
  await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
  await dialog.getByRole('textbox', { name: 'Port', exact: true }).fill('0');
  await dialog.getByRole('button', { name: 'Bind', exact: true }).click();

  const region = page.getByRole('region', { name: /^UDP endpoint 127\.0\.0\.1:\d+$/ });
  await expect(region).toBeVisible();
  const title = (await region.getByRole('heading').first().innerText()).trim();
  const port = Number(/:(\d+)$/.exec(title)?.[1]);
  expect(port).toBeGreaterThan(0);

  // The external peer: socat bound to a known port, sending one datagram and printing replies.
  const peerPort = await freePort();
  const peer = startPeer('socat', ['-u', `UDP-RECVFROM:${peerPort},bind=127.0.0.1,fork`, 'STDOUT']);
  const sender = startPeer('socat', ['-', `UDP-SENDTO:127.0.0.1:${port},bind=127.0.0.1:${await freePort()}`]);
  try {
    sender.stdin?.write('datagram one\n');
    const traffic = region.getByRole('log', { name: 'Traffic' });
    await expect(traffic).toContainText('datagram one␊');
    await expect(traffic).toContainText('from 127.0.0.1:');

    // Reply goes to whoever sent it: here, the listening socat on peerPort.
    await region.getByRole('textbox', { name: 'Remote host' }).fill('127.0.0.1');
    await region.getByRole('textbox', { name: 'Remote port' }).fill(String(peerPort));
    await sendMessage(region, 'reply one');
    await expect.poll(() => peer.output(), { timeout: 5000 }).toContain('reply one\n');
    await expect(traffic).toContainText(`to 127.0.0.1:${peerPort}`);

    // "Reply" fills the destination from a received datagram (its name must not contain "Send").
    await traffic.getByRole('button', { name: 'Reply', exact: true }).first().click();
    await expect(region.getByRole('textbox', { name: 'Remote port' })).not.toHaveValue(String(peerPort));
    await region.getByRole('combobox', { name: 'Line ending' }).selectOption({ label: 'LF' });
    await region.getByRole('textbox', { name: 'Message' }).fill('back to you');
    await region.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => sender.output(), { timeout: 5000 }).toContain('back to you\n');
  } finally {
    peer.kill();
    sender.kill();
  }
});
