import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { expect, test } from './fixtures';
import { openListener } from './helpers';

test('a listener shows live throughput charts and a client sparkline; a conversation records to a file and exports pcapng', async ({ page }, testInfo) => {
  const { region, port } = await openListener(page);
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', () => r()));
  const timer = setInterval(() => client.write(`tick ${Date.now()}\n`.repeat(50)), 50);
  try {
    await expect(region.getByRole('img', { name: /bytes per second in and out/ })).toBeVisible();
    await expect(region.getByRole('img', { name: /connections accepted per second and open/ })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Open endpoints' }).getByRole('img', { name: /All endpoints: bytes per second/ })).toBeVisible();
    await expect(region.getByRole('table', { name: 'Clients' }).locator('canvas.sparkline')).toHaveCount(1);

    await region.getByRole('button', { name: 'Record' }).click();
    await expect(region.getByText(/● Recording to .*\.jsonl/)).toBeVisible();
    // A few seconds of live data: the charts have drawn non-zero samples.
    await page.waitForTimeout(3500);
    await region.getByRole('button', { name: 'Pause chart' }).click();
    await expect(region.getByRole('button', { name: 'Resume chart' })).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: testInfo.outputPath('live-charts.png') });
    await region.getByRole('button', { name: 'Resume chart' }).click();

    await region.getByRole('button', { name: 'Stop recording' }).click();
    const status = region.getByText(/Recorded to .*\.jsonl/);
    await expect(status).toBeVisible();
    const path = (await status.locator('code').textContent()) as string;
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines[0]?.type).toBe('header');
    expect(lines.filter((l) => l.type === 'data').length).toBeGreaterThan(5);
    expect(lines.at(-1)?.type).toBe('end');

    await region.getByRole('button', { name: 'Export .pcapng' }).click();
    const exported = region.getByText(/pcapng: .*\.pcapng/);
    await expect(exported).toBeVisible();
    const pcap = (await exported.locator('code').textContent()) as string;
    expect(existsSync(pcap)).toBe(true);
    expect(readFileSync(pcap).readUInt32LE(0)).toBe(0x0a0d0d0a);
  } finally {
    clearInterval(timer);
    client.destroy();
  }
});
