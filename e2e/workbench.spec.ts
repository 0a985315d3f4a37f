/**
 * The workbench layout and the Traffic log's tools, through the UI on real loopback sockets: the
 * sidebar tree (a listener with its clients under it; selecting shows one workspace), search with
 * a match count, the direction filter, Clear view, the time modes, copy formats (read back from the
 * clipboard), saving a conversation's bytes (a browser download), gaps in the Lines view, invalid
 * UTF-8 as \xNN, and no horizontal overflow at 1280×800.
 */
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openConnection, openListener, openUdpEndpoint, showPanelTab, sidebar, sidebarItem } from './helpers';

const sockets: Socket[] = [];
test.afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
});

async function client(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  sockets.push(s);
  await new Promise<void>((r) => s.once('connect', () => r()));
  return s;
}

const localPort = (s: Socket) => (s.address() as AddressInfo).port;
const traffic = (region: Locator) => region.getByRole('log', { name: 'Traffic' });

/** A listener with one client that said `lines` (one write each, apart, so they are separate chunks). */
async function listenerWithTalk(page: Page, lines: (string | Buffer)[]): Promise<{ region: Locator; peer: Socket }> {
  const { region, port } = await openListener(page);
  const peer = await client(port);
  await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(2);
  for (const l of lines) {
    peer.write(l);
    await new Promise((r) => setTimeout(r, 40));
  }
  return { region, peer };
}

test('the sidebar is a tree: a listener with its clients under it; selecting an item shows its workspace, one at a time', async ({ page }) => {
  const { region, title, port } = await openListener(page);
  const a = await client(port);
  const b = await client(port);
  const tree = sidebar(page);
  const clientsOf = tree.getByRole('list', { name: `Clients of ${title}` });
  await expect(clientsOf.getByRole('button')).toHaveCount(2);
  await expect(clientsOf.getByRole('button', { name: `Client 127.0.0.1:${localPort(a)}` })).toContainText('Established');

  // A new endpoint is selected: its workspace replaces the listener's in the main pane.
  const server: Server = createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const connection = await openConnection(page, '127.0.0.1', (server.address() as AddressInfo).port);
    await expect(connection).toBeVisible();
    await expect(page.getByRole('region')).toHaveCount(1);
    await expect(region).toBeHidden();
    await expect(sidebarItem(page, connection.title)).toHaveAttribute('aria-current', 'true');

    // The listener's item (named like its workspace) brings it back.
    await sidebarItem(page, title).click();
    await expect(region).toBeVisible();
    await expect(page.getByRole('region')).toHaveCount(1);

    // A client's item selects that client's conversation in the listener's workspace.
    b.write('from b\n');
    a.write('from a\n');
    await clientsOf.getByRole('button', { name: `Client 127.0.0.1:${localPort(b)}` }).click();
    const rows = region.getByRole('table', { name: 'Clients' }).getByRole('row');
    await expect(rows.filter({ hasText: `127.0.0.1:${localPort(b)}` })).toHaveAttribute('aria-selected', 'true');
    await expect(traffic(region)).toContainText('from b␊');
    await expect(traffic(region)).not.toContainText('from a');
    await clientsOf.getByRole('button', { name: `Client 127.0.0.1:${localPort(a)}` }).click();
    await expect(traffic(region)).toContainText('from a␊');
  } finally {
    server.close();
  }
});

test('Search traffic counts matches and steps through them; the direction filter and Clear view change the view only', async ({ page }) => {
  const { region } = await listenerWithTalk(page, ['alpha one\n', 'beta\n', 'alpha two ALPHA\n']);
  await expect(traffic(region)).toContainText('alpha two ALPHA␊');
  await region.getByRole('textbox', { name: 'Message' }).fill('alpha back');
  await region.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(traffic(region)).toContainText('alpha back␊');

  const search = region.getByRole('textbox', { name: 'Search traffic' });
  await search.fill('alpha');
  await expect(region.getByText('4 matches', { exact: true })).toBeVisible();
  await region.getByRole('button', { name: 'Next match' }).click();
  await expect(traffic(region).locator('mark.current')).toHaveText('alpha');
  await search.fill('beta');
  await expect(region.getByText('1 match', { exact: true })).toBeVisible();
  await region.getByRole('checkbox', { name: 'Regex' }).check();
  await search.fill('^alpha (one|two)');
  await expect(region.getByText('2 matches', { exact: true })).toBeVisible();
  await search.fill('(');
  await expect(region.getByText(/Bad regex/)).toBeVisible();
  await region.getByRole('checkbox', { name: 'Regex' }).uncheck();
  await search.fill('alpha');

  // Only what was sent: the search follows the filter.
  await region.getByRole('combobox', { name: 'Direction' }).selectOption({ label: '→ Out' });
  await expect(traffic(region).getByText('← in')).toHaveCount(0);
  await expect(traffic(region).getByText('→ out')).toHaveCount(1);
  await expect(region.getByText('1 match', { exact: true })).toBeVisible();
  await region.getByRole('combobox', { name: 'Direction' }).selectOption({ label: 'Both' });
  await expect(traffic(region).getByText('← in')).toHaveCount(3);

  // Time as relative (since the first row) and delta (since the row before).
  await region.getByRole('combobox', { name: 'Time' }).selectOption({ label: 'Relative' });
  await expect(traffic(region).locator('time').first()).toHaveText('+0.000');
  await expect(traffic(region).locator('time').nth(1)).toHaveText(/^\+0\.\d{3}$/);
  await region.getByRole('combobox', { name: 'Time' }).selectOption({ label: 'Delta' });
  await expect(traffic(region).locator('time').first()).toHaveText('+0.000');
  await region.getByRole('combobox', { name: 'Time' }).selectOption({ label: 'Absolute' });
  await expect(traffic(region).locator('time').first()).toHaveText(/^\d\d:\d\d:\d\d\.\d{3}$/);

  // Clear view empties the log; the counters stay; new traffic shows; the cleared rows can come back.
  // "In 38 B · 3 chunks · 0 B/s": bytes and chunks (the rate moves with time).
  const counters = region.getByRole('definition').first();
  const before = (await counters.innerText()).split(' · ').slice(0, 2).join(' · ');
  await region.getByRole('button', { name: 'Clear view' }).click();
  await expect(traffic(region)).toContainText('View cleared');
  await expect(traffic(region).getByText('← in')).toHaveCount(0);
  await expect(counters).toContainText(before);
  await region.getByRole('textbox', { name: 'Message' }).fill('after clear');
  await region.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(traffic(region)).toContainText('after clear␊');
  await expect(traffic(region).getByText('→ out')).toHaveCount(1);
  await region.getByRole('button', { name: 'Show cleared' }).click();
  await expect(traffic(region).getByText('→ out')).toHaveCount(2);
});

test('a chunk copies as text, hex, a C array and base64', async ({ page }) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const { region } = await listenerWithTalk(page, [Buffer.from([0x48, 0x69, 0x0d, 0x0a])]);
  await traffic(region).getByText('Hi').click();
  const details = region.getByRole('group', { name: 'Selected chunk' });
  await expect(details).toContainText('4 B');
  const copied = async (label: string) => {
    await details.getByText('Copy as…').click();
    await details.getByRole('button', { name: `Copy as ${label}` }).click();
    await expect(details.getByRole('status')).toContainText(`as ${label}`);
    return page.evaluate(() => navigator.clipboard.readText());
  };
  expect(await copied('hex')).toBe('48 69 0d 0a');
  expect(await copied('base64')).toBe('SGkNCg==');
  expect(await copied('C array')).toBe('unsigned char data[4] = {\n  0x48, 0x69, 0x0d, 0x0a\n};');
  expect(await copied('text')).toBe('Hi\r\n');
  await details.getByRole('button', { name: 'Hex dump' }).click();
  await expect(details).toContainText('48 69 0d 0a');
});

test("a conversation's bytes save as files the browser downloads: each direction raw, and the text view", async ({ page, appMode }) => {
  test.skip(appMode !== 'browser', 'downloads are the browser-mode path');
  const received = Buffer.from([0x00, 0xff, 0x41, 0x0a, 0x80]);
  const { region } = await listenerWithTalk(page, [received, 'line two\n']);
  await expect(traffic(region)).toContainText('line two␊');
  await region.getByRole('textbox', { name: 'Message' }).fill('sent\\x00');
  await region.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(traffic(region)).toContainText('sent␀');

  const save = async (label: string) => {
    const download = page.waitForEvent('download');
    await region.getByText('Save…').click();
    await region.getByRole('button', { name: label }).click();
    const d = await download;
    return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
  };
  const inFile = await save('Save received bytes');
  expect(inFile.name).toMatch(/received.*\.bin$/);
  expect(inFile.bytes.equals(Buffer.concat([received, Buffer.from('line two\n')]))).toBe(true);
  const outFile = await save('Save sent bytes');
  expect(outFile.bytes.equals(Buffer.from('sent\x00\n', 'latin1'))).toBe(true);
  const text = await save('Save text view');
  expect(text.name).toMatch(/\.txt$/);
  const lines = text.bytes.toString('utf8').trim().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/\t← in\t5 B\t␀\\xffA␊\\x80$/);
  expect(lines[2]).toMatch(/\t→ out\t6 B\tsent␀␊$/);
});

test('the Lines view marks a gap where bytes were not shown live, and makes no unfinished line from cut data', async ({ page }) => {
  // 100 KiB without a newline: the log holds a preview of it, never all of it.
  const { region } = await listenerWithTalk(page, ['first line\n', Buffer.alloc(100 * 1024, 0x41), 'tail after\n']);
  await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row').nth(1)).toContainText(/100\.\d KiB|101\.\d KiB/);
  await region.getByRole('combobox', { name: 'View' }).selectOption({ label: 'Lines' });
  const log = traffic(region);
  await expect(log).toContainText('first line␊');
  await expect(log.locator('.gap-row').first()).toContainText('not shown live');
  await expect(log.getByText('cut', { exact: true }).first()).toBeVisible();
  await expect(log).not.toContainText('(no newline yet)');
  // The line after the gap starts afresh; it is not glued to the cut one.
  await expect(log.locator('.traffic-row').filter({ hasText: 'tail after␊' }).last()).not.toContainText('AAAA');
});

test('invalid UTF-8 shows each bad byte as \\xNN; in Latin-1, NBSP and the soft hyphen are visible', async ({ page }) => {
  const { region } = await listenerWithTalk(page, [Buffer.from([0x62, 0x61, 0x64, 0x3a, 0xc3, 0x28, 0xff, 0xfe, 0x21, 0x0a]), Buffer.from([0x61, 0xa0, 0x62, 0xad, 0x63, 0x0a])]);
  const log = traffic(region);
  await expect(log).toContainText('bad:\\xc3(\\xff\\xfe!␊');
  await expect(log).not.toContainText('\uFFFD');
  await region.getByRole('combobox', { name: 'Decoding' }).selectOption({ label: 'Latin-1' });
  await expect(log).toContainText('a\\xa0b\\xadc␊');
});

/** Every element that scrolls or clips sideways while it has more to show, and the document itself. */
async function horizontalOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.scrollingElement as Element;
    if (doc.scrollWidth > doc.clientWidth) out.push(`document ${doc.scrollWidth} > ${doc.clientWidth}`);
    for (const el of document.querySelectorAll<HTMLElement>('main, nav, header, footer, [role="region"], [role="log"], table, .side-panel, .composer, .traffic-toolbar, .sys-scroll, .clients-scroll, .workspace-header')) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} ${el.scrollWidth} > ${el.clientWidth}`);
    }
    return out;
  });
}

test('nothing needs horizontal scrolling at 1280×800: empty app, listener with clients, connection, UDP endpoint, System sockets', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(await horizontalOverflow(page), 'empty app').toEqual([]);
  const { region } = await listenerWithTalk(page, ['GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: workbench-e2e\r\n\r\n', 'x'.repeat(3000)]);
  await client(Number(/:(\d+)$/.exec(await region.getByRole('heading').first().innerText())?.[1]));
  await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(3);
  await traffic(region).locator('.traffic-row').first().click();
  expect(await horizontalOverflow(page), 'listener').toEqual([]);
  for (const tab of ['Charts', 'Behaviour', 'Recording', 'Saved', 'Socket calls']) {
    await showPanelTab(region, tab);
    expect(await horizontalOverflow(page), `listener, ${tab} tab`).toEqual([]);
  }
  const server: Server = createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const connection = await openConnection(page, '127.0.0.1', (server.address() as AddressInfo).port);
    await expect(connection).toContainText('Established');
    expect(await horizontalOverflow(page), 'connection').toEqual([]);
  } finally {
    server.close();
  }
  const udp = await openUdpEndpoint(page);
  await showPanelTab(udp.region, 'Options');
  expect(await horizontalOverflow(page), 'UDP endpoint').toEqual([]);
  await page.getByRole('tab', { name: 'System sockets' }).click();
  await expect(page.getByRole('table', { name: 'System sockets' }).getByRole('row').nth(1)).toBeVisible();
  expect(await horizontalOverflow(page), 'System sockets').toEqual([]);
});
