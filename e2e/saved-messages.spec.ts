/**
 * Saved messages through the UI, against real peers on loopback: save the composer's content
 * under a Name, send it with `Send <name>` and Alt+1, macros expanded at send time (the peer and
 * the Traffic log both see `n=1`, `n=2`, a Unix time near now), edit, rename, group, delete.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { freePort, openConnection, startPeer, waitForPort } from './helpers';

/** A socat that accepts one connection and prints what it receives. */
async function printingPeer(): Promise<{ port: number; peer: ReturnType<typeof startPeer> }> {
  const port = await freePort();
  const peer = startPeer('socat', ['-u', `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`, 'STDOUT']);
  await waitForPortOnce(port);
  return { port, peer };
}

/** waitForPort connects to probe, which would use up socat's single accept: poll the OS instead. */
async function waitForPortOnce(port: number): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  await expect
    .poll(() => execFileSync('ss', ['-Htln', `sport = :${port}`], { encoding: 'utf8' }).includes(`:${port}`), { timeout: 5000 })
    .toBe(true);
}

/** The workspace's Saved messages list (shown through its side-panel tab, where the layout has one). */
async function savedList(region: Locator): Promise<Locator> {
  const tab = region.getByRole('tab', { name: 'Saved', exact: true });
  if ((await tab.count()) > 0) await tab.click();
  const list = region.getByRole('list', { name: 'Saved messages' });
  await expect(list).toBeAttached();
  return list;
}

async function saveFromComposer(region: Locator, opts: { text: string; name: string; group?: string; lineEnding?: 'None' | 'LF' | 'CRLF' }) {
  await region.getByRole('combobox', { name: 'Line ending' }).selectOption({ label: opts.lineEnding ?? 'LF' });
  await region.getByRole('textbox', { name: 'Message' }).fill(opts.text);
  await region.getByRole('button', { name: 'Save message', exact: true }).click();
  await region.getByRole('textbox', { name: 'Name', exact: true }).fill(opts.name);
  if (opts.group) await region.getByRole('textbox', { name: 'Group', exact: true }).fill(opts.group);
  await region.getByRole('button', { name: 'Save message', exact: true }).click();
  await expect(region.getByRole('textbox', { name: 'Name', exact: true })).toBeHidden();
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function connected(page: Page, port: number): Promise<Locator> {
  const region = await openConnection(page, '127.0.0.1', port);
  await expect(region).toContainText('Established');
  return region;
}

test('a saved message is sent with Send <name>, its macros expanded at each send for the peer and in the log', async ({ page }) => {
  const { port, peer } = await printingPeer();
  try {
    const region = await connected(page, port);
    await saveFromComposer(region, { text: 'n={{counter}} t={{unixtime}} id={{uuid}}', name: 'Tick' });
    const list = await savedList(region);
    await expect(list).toContainText('Tick');
    await expect(list).toContainText('n={{counter}}');

    const before = nowSeconds();
    const send = region.getByRole('button', { name: 'Send Tick', exact: true });
    await send.click();
    await send.click();
    // The composer counts in the same conversation: its send is the third.
    await region.getByRole('textbox', { name: 'Message' }).fill('c={{counter}}');
    await region.getByRole('button', { name: 'Send', exact: true }).click();
    const after = nowSeconds();

    await expect.poll(() => peer.output().split('\n').length, { timeout: 5000 }).toBeGreaterThanOrEqual(4);
    const lines = peer.output().split('\n').filter(Boolean);
    expect(lines).toHaveLength(3);
    const sent = lines.slice(0, 2).map((l) => /^n=(\d+) t=(\d+) id=([0-9a-f-]{36})$/.exec(l));
    expect(sent.map((m) => m?.[1])).toEqual(['1', '2']);
    for (const m of sent) {
      const t = Number(m?.[2]);
      expect(t).toBeGreaterThanOrEqual(before - 1);
      expect(t).toBeLessThanOrEqual(after + 1);
      expect(m?.[3]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(sent[0]?.[3]).not.toBe(sent[1]?.[3]);
    expect(lines[2]).toBe('c=3');

    // The log shows what was sent, expanded.
    const log = region.getByRole('log', { name: 'Traffic' });
    await expect(log).toContainText(`n=1 t=${sent[0]?.[2]}`);
    await expect(log).toContainText(`n=2 t=${sent[1]?.[2]}`);
    await expect(log).not.toContainText('{{counter}}');
  } finally {
    peer.kill();
  }
});

test('Alt+1 sends the first saved message on the conversation that has the focus', async ({ page }) => {
  const { port, peer } = await printingPeer();
  try {
    const region = await connected(page, port);
    await saveFromComposer(region, { text: 'first {{counter}}', name: 'One' });
    await saveFromComposer(region, { text: 'second', name: 'Two', lineEnding: 'CRLF' });
    await savedList(region);
    await region.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.press('Alt+2');
    await page.keyboard.press('Alt+1');
    await expect.poll(() => peer.output(), { timeout: 5000 }).toBe('second\r\nfirst 2\n');
    // The chords typed nothing into the Message box (it still holds the last message saved).
    await expect(region.getByRole('textbox', { name: 'Message' })).toHaveValue('second');
  } finally {
    peer.kill();
  }
});

test('saved messages are edited, renamed, grouped, refused under a taken name, deleted — and kept across a reload', async ({ page }) => {
  const { port, peer } = await printingPeer();
  try {
    const region = await connected(page, port);
    await saveFromComposer(region, { text: 'GET / HTTP/1.0\\r\\n', name: 'Get', group: 'HTTP', lineEnding: 'CRLF' });
    let list = await savedList(region);
    await expect(list.getByRole('list', { name: 'Group HTTP' })).toContainText('Get');

    // The same name again is refused at the Name field.
    await region.getByRole('textbox', { name: 'Message' }).fill('other');
    await region.getByRole('button', { name: 'Save message', exact: true }).click();
    await region.getByRole('textbox', { name: 'Name', exact: true }).fill('get');
    await region.getByRole('button', { name: 'Save message', exact: true }).click();
    await expect(region.getByRole('alert').filter({ hasText: 'already called' })).toBeVisible();
    await region.getByRole('button', { name: 'Cancel', exact: true }).click();

    // Rename and change the content.
    await list.getByRole('button', { name: 'Edit Get', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit saved message' });
    await dialog.getByRole('textbox', { name: 'Name', exact: true }).fill('Head');
    await dialog.getByRole('textbox', { name: 'Content', exact: true }).fill('HEAD / HTTP/1.0\\r\\n');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await expect(dialog).toBeHidden();
    await expect(list.getByRole('button', { name: 'Send Get', exact: true })).toHaveCount(0);
    await list.getByRole('button', { name: 'Send Head', exact: true }).click();
    await expect.poll(() => peer.output(), { timeout: 5000 }).toBe('HEAD / HTTP/1.0\r\n\r\n');

    // Kept by the engine: a reload shows it again.
    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
    const again = page.getByRole('region', { name: /^Connection / });
    list = await savedList(again);
    await expect(list.getByRole('button', { name: 'Send Head', exact: true })).toBeVisible();

    await list.getByRole('button', { name: 'Delete Head', exact: true }).click();
    await list.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(list.getByRole('button', { name: 'Send Head', exact: true })).toHaveCount(0);
  } finally {
    peer.kill();
  }
});

test('a message with an unknown macro is not saved: the error says which', async ({ page }) => {
  const port = await freePort();
  const peer = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:cat']);
  try {
    await waitForPort(port);
    const region = await connected(page, port);
    await region.getByRole('textbox', { name: 'Message' }).fill('hello {{name}}');
    await region.getByRole('button', { name: 'Save message', exact: true }).click();
    await region.getByRole('textbox', { name: 'Name', exact: true }).fill('Hello');
    await region.getByRole('button', { name: 'Save message', exact: true }).click();
    await expect(region.getByRole('alert').filter({ hasText: 'unknown macro "{{name}}"' })).toBeVisible();
    const list = await savedList(region);
    await expect(list.getByRole('listitem')).toHaveCount(0);
  } finally {
    peer.kill();
  }
});

test('a received chunk is saved as a message from the log, bytes and line ending kept, and sent back', async ({ page }) => {
  const port = await freePort();
  const echo = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'EXEC:cat']);
  try {
    await waitForPort(port);
    const region = await connected(page, port);
    await region.getByRole('combobox', { name: 'Line ending' }).selectOption({ label: 'CRLF' });
    await region.getByRole('textbox', { name: 'Message' }).fill('caf\\u00e9 {{time}} \\x01');
    await region.getByRole('button', { name: 'Send', exact: true }).click();
    const received = region.getByRole('log', { name: 'Traffic' }).locator('.traffic-row.dir-in');
    await expect(received).toHaveCount(1);
    const expanded = (await received.locator('.payload').innerText()).slice(0, 14);
    expect(expanded).toMatch(/^café \d\d:\d\d:\d\d /);

    await received.click();
    await region.getByRole('group', { name: 'Selected chunk' }).getByRole('button', { name: 'Save as message' }).click();
    await region.getByRole('textbox', { name: 'Name', exact: true }).fill('Echoed');
    await region.getByRole('button', { name: 'Save message', exact: true }).click();
    const list = await savedList(region);
    // What arrived, with its time as sent (no macro any more), the control byte as an escape.
    await expect(list).toContainText(`${expanded}\\x01 + CRLF`);

    await list.getByRole('button', { name: 'Send Echoed', exact: true }).click();
    await expect(received).toHaveCount(2);
    await expect(received.nth(1)).toContainText(expanded);
  } finally {
    echo.kill();
  }
});

test('Send <name> on a UDP endpoint goes to its Remote host and port; moving a message changes what Alt+1 sends', async ({ page }) => {
  const peerPort = await freePort();
  const peer = startPeer('socat', ['-u', `UDP-RECV:${peerPort},bind=127.0.0.1`, 'STDOUT']);
  try {
    await page.getByRole('button', { name: 'New UDP endpoint', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New UDP endpoint' });
    await dialog.getByRole('textbox', { name: 'Bind address' }).fill('127.0.0.1');
    await dialog.getByRole('button', { name: 'Bind', exact: true }).click();
    const region = page.getByRole('region', { name: /^UDP endpoint 127\.0\.0\.1:\d+/ });
    await expect(region).toContainText('Bound');
    await region.getByRole('textbox', { name: 'Remote host' }).fill('127.0.0.1');
    await region.getByRole('textbox', { name: 'Remote port' }).fill(String(peerPort));
    await saveFromComposer(region, { text: 'A{{counter}}', name: 'Alpha', lineEnding: 'LF' });
    await saveFromComposer(region, { text: 'B{{counter}}', name: 'Beta', lineEnding: 'LF' });
    const list = await savedList(region);
    await list.getByRole('button', { name: 'Send Alpha', exact: true }).click();
    await expect.poll(() => peer.output(), { timeout: 5000 }).toBe('A1\n');

    await list.getByRole('button', { name: 'Move Beta up', exact: true }).click();
    await expect(list.getByRole('button', { name: /^Send / }).first()).toHaveAccessibleName('Send Beta');
    await region.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.press('Alt+1');
    await expect.poll(() => peer.output(), { timeout: 5000 }).toBe('A1\nB2\n');
  } finally {
    peer.kill();
  }
});
