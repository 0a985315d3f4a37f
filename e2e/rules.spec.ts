import { expect, test } from './fixtures';
import { openListener, openUdpEndpoint, startPeer } from './helpers';

test('a rule added in the listener answers a real peer, closes after, and counts its hit', async ({ page }) => {
  const { region, port } = await openListener(page);
  const rules = region.getByRole('table', { name: 'Rules' });
  await expect(rules).toBeVisible();
  await region.getByRole('button', { name: 'Add rule' }).click();
  await rules.getByRole('combobox', { name: 'Match type' }).selectOption({ label: 'Regex' });
  await rules.getByRole('textbox', { name: 'Match' }).fill('^PING (\\w+)$');
  await rules.getByRole('textbox', { name: 'Reply' }).fill('+PONG $1\\r\\n');
  await rules.getByRole('checkbox', { name: 'Close after reply' }).check();
  await expect(region.getByRole('status').filter({ hasText: 'applying' })).toHaveCount(0);

  // ncat sends one line and prints the reply; the rule's FIN ends it.
  const peer = startPeer('ncat', ['127.0.0.1', String(port)]);
  try {
    peer.stdin?.end('PING rules\n');
    await expect.poll(() => peer.output()).toBe('+PONG rules\r\n');
    await expect.poll(() => peer.exitCode, { timeout: 5000 }).toBe(0);
    await expect(rules.getByRole('cell', { name: 'Hits' })).toHaveText('1');
  } finally {
    peer.kill();
  }

  // A regex RE2 cannot run is refused at its row; the rule the engine holds keeps answering.
  await rules.getByRole('textbox', { name: 'Match' }).fill('^(?=PING)');
  await expect(rules.getByRole('alert')).toContainText('no lookaround or backreferences');
  const again = startPeer('ncat', ['127.0.0.1', String(port)]);
  try {
    again.stdin?.write('PING again\n');
    await expect.poll(() => again.output()).toBe('+PONG again\r\n');
  } finally {
    again.kill();
  }
});

test('a UDP rule replies to the datagram sender', async ({ page }) => {
  const { region, port } = await openUdpEndpoint(page);
  await region.getByRole('button', { name: 'Add rule' }).click();
  const rules = region.getByRole('table', { name: 'Rules' });
  await rules.getByRole('combobox', { name: 'Match type' }).selectOption({ label: 'Exact' });
  await rules.getByRole('textbox', { name: 'Match' }).fill('time?');
  await rules.getByRole('textbox', { name: 'Reply' }).fill('now #{{counter}}\\n');
  await expect(rules.getByRole('checkbox', { name: 'Close after reply' })).toBeDisabled();
  // Each change reaches the engine in order; send once the last one has landed.
  await expect(region.getByRole('status').filter({ hasText: 'applying' })).toHaveCount(0);
  const peer = startPeer('socat', ['-T', '5', '-', `UDP:127.0.0.1:${port}`]);
  try {
    peer.stdin?.write('time?\n');
    await expect.poll(() => peer.output()).toBe('now #1\n');
    await expect(rules.getByRole('cell', { name: 'Hits' })).toHaveText('1');
  } finally {
    peer.kill();
  }
});
