/** Headless Chromium with the UI open and instrumented: frames, long tasks, batches received, marker times. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Installed before the app's own scripts. Plain JavaScript (it runs in the page): counts batch
 * messages on the app's WebSocket, records rAF frame intervals and long tasks while `recording`,
 * and timestamps the first appearance of each `M<n>X` marker in the DOM.
 */
const INSTRUMENT = `
(() => {
  const b = (window.__bench = { recording: false, batches: 0, frames: [], longtasks: [], markers: {}, watch: false });
  const Orig = window.WebSocket;
  window.WebSocket = class extends Orig {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        if (b.recording && typeof ev.data === 'string' && ev.data.startsWith('{"type":"batch"')) b.batches++;
      });
    }
  };
  let last = 0;
  const loop = (t) => {
    if (b.recording && last) b.frames.push(t - last);
    last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  try {
    new PerformanceObserver((list) => {
      if (b.recording) for (const e of list.getEntries()) b.longtasks.push(e.duration);
    }).observe({ entryTypes: ['longtask'] });
  } catch {}
  const re = /M(\\d+)X/g;
  const scan = (text) => {
    if (!text) return;
    const now = performance.timeOrigin + performance.now();
    for (const m of text.matchAll(re)) if (!(m[1] in b.markers)) b.markers[m[1]] = now;
  };
  new MutationObserver((records) => {
    if (!b.watch) return;
    for (const r of records) {
      if (r.type === 'characterData') scan(r.target.data);
      else for (const n of r.addedNodes) scan(n.textContent);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();
`;

export interface Ui {
  browser: Browser;
  page: Page;
}

export async function openUi(url: string): Promise<Ui> {
  const executablePath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript({ content: INSTRUMENT });
  await page.goto(url);
  await page.waitForSelector('html[data-app-state="ready"]', { timeout: 20_000 });
  return { browser, page };
}

export interface PageMetrics {
  frames: number[];
  longtasks: number[];
  batches: number;
}

export async function startRecording(page: Page): Promise<void> {
  await page.evaluate('(() => { const b = window.__bench; b.frames = []; b.longtasks = []; b.batches = 0; b.recording = true; })()');
}

export async function stopRecording(page: Page): Promise<PageMetrics> {
  return (await page.evaluate('(() => { const b = window.__bench; b.recording = false; return { frames: b.frames, longtasks: b.longtasks, batches: b.batches }; })()')) as PageMetrics;
}

export async function watchMarkers(page: Page, on: boolean): Promise<Record<string, number>> {
  return (await page.evaluate(`(() => { const b = window.__bench; b.watch = ${on}; if (${on}) b.markers = {}; return b.markers; })()`)) as Record<string, number>;
}

/**
 * Clicks a Clients-table row with real input and measures, in the page, from the click event to
 * the next frame after the row shows selected.
 */
export async function clickLatency(page: Page, rowIndex: number): Promise<number> {
  const row = page.locator('table[aria-label="Clients"] tbody tr[tabindex]').nth(rowIndex);
  await row.scrollIntoViewIfNeeded();
  await page.evaluate(`(() => {
    const b = window.__bench;
    b.click = null;
    const rows = () => document.querySelectorAll('table[aria-label="Clients"] tbody tr[tabindex]');
    const target = rows()[${rowIndex}];
    b.clickDone = new Promise((resolve) => {
      let t0 = 0;
      document.addEventListener('click', () => { t0 = performance.now(); }, { capture: true, once: true });
      const obs = new MutationObserver(() => {
        if (t0 && target.getAttribute('aria-selected') === 'true') {
          obs.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        }
      });
      obs.observe(target, { attributes: true, attributeFilter: ['aria-selected'] });
    });
  })()`);
  await row.click();
  return (await page.evaluate('window.__bench.clickDone')) as number;
}
