import { expect, test } from './fixtures';
import { freePort, openConnection, openListener, showPanelTab, startPeer, waitForPort } from './helpers';

test('a script runs over the connection on screen against socat: each step inline, a failed expect says what arrived', async ({ page }, testInfo) => {
  const port = await freePort();
  const echo = startPeer('socat', [`TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`, 'PIPE']);
  try {
    await waitForPort(port);
    const region = await openConnection(page, '127.0.0.1', port);
    await showPanelTab(region, 'Script');
    const text = region.getByRole('textbox', { name: 'Script text' });
    await text.fill("steps:\n  - send: 'PING {{counter}}\\r\\n'\n  - expect: { regex: 'PING (\\d+)', as: [n] }\n  - send: 'got {{n}}\\n'\n  - expect: 'got 1'\n");
    await region.getByRole('button', { name: 'Run script' }).click();
    const results = region.getByRole('list', { name: 'Script results' });
    await expect(region.getByRole('status').filter({ hasText: 'Passed' })).toHaveText(/Passed: 2 expects passed, 0 failed/);
    await expect(results.getByRole('listitem')).toHaveCount(5);
    await expect(results).toContainText('n="1"');
    // The script's sends are ordinary sends: the Traffic log shows them.
    await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('got 1');

    await text.fill("steps:\n  - send: 'hello\\n'\n  - expect: { contains: 'bye', timeoutMs: 300 }\n");
    await region.getByRole('button', { name: 'Run script' }).click();
    await expect(region.getByRole('status').filter({ hasText: 'Failed' })).toBeVisible();
    await expect(results).toContainText('expected contains "bye": nothing matched within 300 ms; received 6 bytes: "hello␊" (hex 68 65 6c 6c 6f 0a)');

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: testInfo.outputPath('script-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('script-dark.png') });

    // The conversation so far, turned into a script, replays against the same echo server.
    await region.getByRole('button', { name: 'Turn into a script' }).click();
    await expect(text).toHaveValue(/send: PING 1\\r\\n/);
    await expect(text).toHaveValue(/expect:\n\s+exact: PING 1\\r\\n/);
    await region.getByRole('button', { name: 'Run script' }).click();
    await expect(region.getByRole('status').filter({ hasText: 'Passed' })).toHaveText(/Passed: 3 expects passed, 0 failed/);
    // …and into a mock server: a new listener whose rules answer as the echo did.
    await region.getByRole('button', { name: 'Turn into a mock server' }).click();
    const mock = page.getByRole('region', { name: /^Listener 127\.0\.0\.1:\d+/ });
    await expect(mock.getByRole('table', { name: 'Rules' }).getByRole('textbox', { name: 'Match' }).first()).toHaveValue('PING 1');
    await page.getByRole('button', { name: /^Connection 127\.0\.0\.1/ }).click();

    // A bad script is refused by the engine before anything is sent.
    await text.fill('steps: [ { sned: x } ]');
    await region.getByRole('button', { name: 'Run script' }).click();
    await expect(region.getByRole('alert').filter({ hasText: 'steps.0' })).toBeVisible();
  } finally {
    echo.kill();
  }
});

test('the generator at full rate to every client of a listener stops at once and shows what it sent', async ({ page }, testInfo) => {
  const { region, port } = await openListener(page);
  const sink = startPeer('socat', ['-u', `TCP:127.0.0.1:${port}`, 'OPEN:/dev/null']);
  try {
    await expect(region.getByRole('table', { name: 'Clients' }).getByRole('row')).toHaveCount(2);
    await showPanelTab(region, 'Generator');
    await region.getByRole('textbox', { name: 'Duration (s)' }).fill('60');
    await region.getByRole('button', { name: 'Start generator' }).click();
    const status = region.getByRole('status').filter({ hasText: /messages/ });
    await expect(status).toContainText(/Running: [\d,]+ messages/);
    await expect(status).toContainText('msg/s');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: testInfo.outputPath('generator-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('generator-dark.png') });
    await region.getByRole('button', { name: 'Stop generator' }).click();
    await expect(status).toContainText(/^Stopped: [\d,]+ messages, [\d,]+ bytes/, { timeout: 1000 });
    await expect(region.getByRole('button', { name: 'Start generator' })).toBeEnabled();
  } finally {
    sink.kill();
  }
});
