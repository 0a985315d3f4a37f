/**
 * Bytes from strangers are shown as text or hex, never as markup: a peer sends HTML with event
 * handlers, NUL bytes, invalid UTF-8 and a 1 MiB line without a newline into a Sockscope listener
 * and into a Sockscope connection. A MutationObserver installed in the page records every element
 * added anywhere while the data arrives and is viewed; none may be an image, script, SVG, frame,
 * object or anything carrying an event-handler attribute; no CSP violation may occur (an injected
 * inline handler would raise one) and the handlers never run. The text itself is visible, as text.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { openConnection, openListener } from './helpers';

const HTML_PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '<svg onload="window.__pwned=3"><circle r="9"/></svg>',
  '<iframe src="javascript:parent.__pwned=4"></iframe><object data="x"></object>',
  '"><b onmouseover="window.__pwned=5">x</b><style>*{display:none}</style>',
];
const NUL_LINE = Buffer.from('NUL:\x00\x00:end\n', 'latin1');
/** 0xC3 0x28 (bad continuation), 0xFF 0xFE (never valid), 0x80 (lone continuation). */
const INVALID_UTF8 = Buffer.from([0x62, 0x61, 0x64, 0x3a, 0xc3, 0x28, 0xff, 0xfe, 0x80, 0x21, 0x0a]);
/** 1 MiB without a newline, starting with markup so its preview is markup-looking text. */
const HUGE_LINE = Buffer.concat([Buffer.from('<img src=y onerror="window.__pwned=6">'), Buffer.alloc(1024 * 1024 - 38, 0x41)]);

/** Hostile bytes in the order a peer sends them. */
function hostileChunks(): Buffer[] {
  return [...HTML_PAYLOADS.map((p) => Buffer.from(`${p}\n`)), NUL_LINE, INVALID_UTF8, HUGE_LINE];
}

/** Records every element added anywhere in the document, and every CSP violation. */
async function installWatch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __added: string[]; __csp: string[] };
    w.__added = [];
    w.__csp = [];
    const describe = (el: Element) => `${el.namespaceURI === 'http://www.w3.org/2000/svg' ? 'svg:' : ''}${el.tagName}${[...el.attributes].map((a) => ` ${a.name}=${JSON.stringify(a.value.slice(0, 40))}`).join('')}`;
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType !== Node.ELEMENT_NODE) continue;
          const el = n as Element;
          w.__added.push(describe(el));
          for (const inner of el.querySelectorAll('*')) w.__added.push(describe(inner));
        }
        if (r.type === 'attributes' && r.attributeName?.startsWith('on')) w.__added.push(`attribute ${r.attributeName} on ${describe(r.target as Element)}`);
      }
    }).observe(document, { childList: true, subtree: true, attributes: true });
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`));
  });
}

const DANGEROUS = /^(?:svg:|IMG|SCRIPT|IFRAME|FRAME|OBJECT|EMBED|LINK|STYLE|META|BASE|FORM|VIDEO|AUDIO|SOURCE|TEMPLATE|MATH)\b|\son[a-z]+=|^attribute on/;
/** The app's own SVG, exactly: a client row's sparkline, its points only numbers (charts/sparkline.tsx). */
const APP_SVG = /^svg:svg class="sparkline" width="90" height="20" viewBox="0 0 90 20" aria-hidden="true"$|^svg:polyline class="spark-(?:in|out)" points="[\d., ]*"$/;

async function expectNothingInjected(page: Page): Promise<void> {
  const { added, csp, pwned } = await page.evaluate(() => {
    const w = window as unknown as { __added: string[]; __csp: string[]; __pwned?: number };
    return { added: w.__added, csp: w.__csp, pwned: w.__pwned ?? null };
  });
  expect(added.length, 'the observer saw the traffic rows being added').toBeGreaterThan(0);
  expect(added.filter((d) => DANGEROUS.test(d) && !APP_SVG.test(d)), 'elements created from peer data').toEqual([]);
  expect(csp, 'Content-Security-Policy violations').toEqual([]);
  expect(pwned, 'an injected handler ran').toBeNull();
}

/** Every payload is visible, as the text it is, in the Traffic log (chunks view). */
async function expectShownAsText(region: Locator): Promise<void> {
  const traffic = region.getByRole('log', { name: 'Traffic' });
  for (const p of HTML_PAYLOADS) await expect(traffic).toContainText(`${p}␊`);
  await expect(traffic).toContainText('NUL:␀␀:end␊');
  // Each invalid UTF-8 byte is named as \xNN (distinct bytes look distinct), the valid bytes around it stay.
  await expect(traffic).toContainText('bad:\\xc3(\\xff\\xfe\\x80!␊');
  await expect(traffic).toContainText('<img src=y onerror="window.__pwned=6">AAAA');
  // The 1 MiB line arrived whole (the counters say so) and is offered in full on request.
  await expect(region).toContainText(/1(\.0)? MiB|1,0\d\d(\.\d)? KiB/);
  await expect(traffic.getByRole('button', { name: /show all/ }).first()).toBeVisible();
}

/**
 * The other views of the same bytes: hex dump, and lines — where the 1 MiB line's previews were
 * cut, a gap row says so, and no "(no newline yet)" line is made from the cut data.
 */
async function expectOtherViews(region: Locator): Promise<void> {
  const traffic = region.getByRole('log', { name: 'Traffic' });
  await region.getByRole('combobox', { name: 'View' }).selectOption({ label: 'Hex dump' });
  await expect(traffic).toContainText('3c 69 6d 67 20 73 72 63'); // "<img src"
  // The log follows the newest bytes and draws only rows in view: the 1 MiB line's hex fills it,
  // so go back to the top, as a person scrolls up, to see the earlier chunks.
  await traffic.evaluate((el) => {
    for (const e of [el, ...el.querySelectorAll('*')]) if (e.scrollHeight > e.clientHeight) e.scrollTop = 0;
  });
  await expect(traffic).toContainText('4e 55 4c 3a 00 00 3a 65'); // "NUL:\0\0:e"
  await expect(traffic).toContainText('c3 28 ff fe 80 21 0a');
  await region.getByRole('combobox', { name: 'View' }).selectOption({ label: 'Lines' });
  await expect(traffic).toContainText('NUL:␀␀:end␊');
  await expect(traffic).toContainText(/not shown live/);
  await expect(traffic).not.toContainText('(no newline yet)');
  await region.getByRole('combobox', { name: 'View' }).selectOption({ label: 'Chunks' });
}

async function writeAll(socket: Socket, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) {
    await new Promise<void>((resolve, reject) => socket.write(c, (err) => (err ? reject(err) : resolve())));
    // Separate sends, so most payloads arrive as chunks of their own.
    await new Promise((r) => setTimeout(r, 30));
  }
}

test.describe('hostile data from peers', () => {
  test('into a listener: shown as text and hex, no element created from it', async ({ page }) => {
    const { region, port } = await openListener(page);
    await installWatch(page);
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    try {
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(2);
      await writeAll(client, hostileChunks());
      await expectShownAsText(region);
      await expectOtherViews(region);
      // The whole chunk, on request, in the selected chunk's pane: still text.
      await region.getByRole('log', { name: 'Traffic' }).getByRole('button', { name: /show all/ }).last().click();
      await expect(region.getByRole('group', { name: 'Selected chunk' })).toContainText('AAAAAAAAAAAAAAAA');
      await expectNothingInjected(page);
    } finally {
      client.destroy();
    }
  });

  test('into a connection: shown as text, no element created from it', async ({ page }) => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const region = await openConnection(page, '127.0.0.1', (server.address() as AddressInfo).port);
      await expect(region).toContainText('Established');
      // Watch from here on (the creation form itself is the app's own markup), then the peer talks.
      await installWatch(page);
      await expect.poll(() => sockets.length).toBe(1);
      await writeAll(sockets[0]!, hostileChunks());
      await expectShownAsText(region);
      await expectOtherViews(region);
      await expectNothingInjected(page);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
