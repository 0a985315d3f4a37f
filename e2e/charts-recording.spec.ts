import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { expect, test } from './fixtures';
import { openListener, showPanelTab, sidebar } from './helpers';

test('a listener shows live throughput charts and a client sparkline; a conversation records to a file and exports pcapng', async ({ page, appMode }, testInfo) => {
  const { region, port } = await openListener(page);
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  const timer = setInterval(() => client.write(`tick ${Date.now()}\n`.repeat(50)), 50);
  try {
    // The charts live in the side panel's Charts tab; the sidebar keeps the app's total.
    await showPanelTab(region, 'Charts');
    await expect(region.getByRole('img', { name: /bytes per second in and out/ }).first()).toBeVisible();
    await expect(region.getByRole('img', { name: /connections accepted per second and open/ })).toBeVisible();
    await expect(sidebar(page).getByRole('img', { name: /All endpoints: bytes per second/ })).toBeVisible();
    const sparkline = region.getByRole('table', { name: 'Clients' }).locator('svg.sparkline');
    await expect(sparkline).toHaveCount(1);
    // Drawn from the rates store: a line through the last minute's samples.
    await expect(sparkline.locator('polyline.spark-in')).toHaveAttribute('points', /\d+(\.\d)?,\d+(\.\d)? /);

    await showPanelTab(region, 'Recording');
    await region.getByRole('button', { name: 'Record' }).click();
    await expect(region.getByText(/● Recording to .*\.jsonl/)).toBeVisible();
    // A few seconds of live data: the charts have drawn non-zero samples.
    await page.waitForTimeout(3500);
    await showPanelTab(region, 'Charts');
    await region.getByRole('button', { name: 'Pause chart' }).first().click();
    await expect(region.getByRole('button', { name: 'Resume chart' }).first()).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: testInfo.outputPath('live-charts.png') });
    await region.getByRole('button', { name: 'Resume chart' }).first().click();

    await showPanelTab(region, 'Recording');
    await region.getByRole('button', { name: 'Stop recording' }).click();
    const status = region.getByText(/Recorded to .*\.jsonl/);
    await expect(status).toBeVisible();
    const path = (await status.locator('code').textContent()) as string;
    const onDisk = readFileSync(path);
    const lines = onDisk.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines[0]?.type).toBe('header');
    expect(lines.filter((l) => l.type === 'data').length).toBeGreaterThan(5);
    expect(lines.at(-1)?.type).toBe('end');

    // The recording downloads through the browser, byte for byte the file the engine wrote.
    const recording = page.waitForEvent('download');
    await region.getByRole('button', { name: 'Download recording' }).click();
    const got = await recording;
    expect(got.suggestedFilename()).toMatch(/\.jsonl$/);
    expect(readFileSync(await got.path()).equals(onDisk)).toBe(true);

    // In browser mode the export downloads at once; the file is a pcapng (section header block).
    const pcapDownload = appMode === 'browser' ? page.waitForEvent('download') : null;
    await region.getByRole('button', { name: 'Export .pcapng' }).click();
    const exported = region.getByText(/pcapng: .*\.pcapng/);
    await expect(exported).toBeVisible();
    const pcapPath = (await exported.locator('code').textContent()) as string;
    expect(readFileSync(pcapPath).readUInt32LE(0)).toBe(0x0a0d0d0a);
    if (pcapDownload) {
      const pcap = await pcapDownload;
      expect(pcap.suggestedFilename()).toMatch(/\.pcapng$/);
      expect(readFileSync(await pcap.path()).equals(readFileSync(pcapPath))).toBe(true);
    }
  } finally {
    clearInterval(timer);
    client.destroy();
  }
});
