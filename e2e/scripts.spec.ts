import { expect, test } from './fixtures';
import { freePort, openListener, showPanelTab, sidebarItem, startPeer, withScriptTabOverEcho, withSocatEcho } from './helpers';

test('a script runs over the connection on screen against socat: each step inline, a failed expect says what arrived', async ({ page }, testInfo) => {
  await withScriptTabOverEcho(page, async (region) => {
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
  });
});

test('Step runs a script one step at a time: each result as it ends, the step it waits before, and each in the Socket calls timeline', async ({ page }, testInfo) => {
  await withScriptTabOverEcho(page, async (region, port) => {
    await region.getByRole('textbox', { name: 'Script text' }).fill("steps:\n  - send: 'one\\n'\n  - expect: 'one'\n  - send: 'two\\n'\n  - expect: 'two'\n");
    const step = region.getByRole('button', { name: 'Step script' });
    const results = region.getByRole('list', { name: 'Script results' });
    const paused = region.getByRole('status').filter({ hasText: 'Paused before' });

    // A first Step starts the run paused before its first step: nothing is sent yet.
    await step.click();
    await expect(paused).toHaveText('Paused before step 0: send "one\\n"');
    await expect(results.getByRole('listitem')).toHaveCount(1);
    await expect(results.getByRole('listitem').first()).toContainText(`connect: using 127.0.0.1:${port} (tcp)`);
    await expect(region.getByRole('log', { name: 'Traffic' })).not.toContainText('one');

    await step.click();
    await expect(paused).toHaveText('Paused before step 1: expect contains "one"');
    await expect(results.getByRole('listitem')).toHaveCount(2);
    await expect(results.getByRole('listitem').nth(1)).toContainText('send: sent 4 bytes: one␊');

    await step.click();
    await expect(paused).toHaveText('Paused before step 2: send "two\\n"');
    await expect(results.getByRole('listitem')).toHaveCount(3);
    await expect(results.getByRole('listitem').nth(2)).toContainText(/expect: matched contains "one" after \d+ ms/);
    await expect(region.getByRole('button', { name: 'Run script' })).toBeEnabled();

    await page.setViewportSize({ width: 1280, height: 800 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.screenshot({ path: testInfo.outputPath('script-paused-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: testInfo.outputPath('script-paused-dark.png') });

    // Each step that ran is a line of the connection's socket-call timeline.
    await showPanelTab(region, 'Socket calls');
    const calls = region.getByRole('list', { name: 'Socket calls' });
    await expect(calls.getByRole('listitem').filter({ hasText: 'script: send "one\\n"' })).toContainText('passed: sent 4 bytes: one␊');
    await expect(calls.getByRole('listitem').filter({ hasText: 'script: expect contains "one"' })).toContainText('passed: matched contains "one"');
    await expect(calls.getByRole('listitem').filter({ hasText: 'script: send "two' })).toHaveCount(0);

    // Run script goes on from the pause to the end.
    await showPanelTab(region, 'Script');
    await region.getByRole('button', { name: 'Run script' }).click();
    await expect(region.getByRole('status').filter({ hasText: 'Passed' })).toHaveText(/Passed: 2 expects passed, 0 failed/);
    await expect(results.getByRole('listitem')).toHaveCount(5);
    await expect(paused).toHaveCount(0);
    await showPanelTab(region, 'Socket calls');
    await expect(calls.getByRole('listitem').filter({ hasText: 'script: ended' })).toContainText('passed: 4 steps, 2 expects passed');

    // Stop ends a paused run.
    await showPanelTab(region, 'Script');
    await step.click();
    await expect(paused).toBeVisible();
    await region.getByRole('button', { name: 'Stop script' }).click();
    await expect(region.getByRole('status').filter({ hasText: 'Stopped' })).toBeVisible();
    await expect(step).toBeEnabled();
  });
});

test('Run a script… in the top bar runs a script over the connection its own connect opens, then shows that connection with the run', async ({ page }) => {
  await withSocatEcho(async (port) => {
    // Something else is on screen first: the script's connection must be the one selected after.
    const other = await openListener(page);
    await expect(other.region).toBeVisible();

    await page.getByRole('button', { name: 'Run a script…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a script' });
    const text = dialog.getByRole('textbox', { name: 'Script to run' });
    await expect(text).toBeFocused();

    // Refused by the engine: said in the dialog, which stays open.
    await text.fill('steps: [ { sned: x } ]');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('steps.0');

    // A connect that fails is said there too.
    const closedPort = await freePort();
    await text.fill(`connect: { host: 127.0.0.1, port: ${closedPort} }\nsteps:\n  - send: 'x'\n`);
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('ECONNREFUSED');

    await text.fill(`connect: { host: 127.0.0.1, port: ${port} }\nsteps:\n  - send: 'from the top bar\\n'\n  - expect: { contains: 'top bar', timeoutMs: 3000 }\n`);
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(dialog).toBeHidden();

    const title = new RegExp(`^Connection \\S+ → 127\\.0\\.0\\.1:${port}`);
    const region = page.getByRole('region', { name: title });
    await expect(region).toBeVisible();
    await expect(sidebarItem(page, title)).toHaveAttribute('aria-current', 'true');
    await expect(region.getByRole('tab', { name: 'Script', exact: true })).toHaveAttribute('aria-selected', 'true');
    await expect(region.getByRole('status').filter({ hasText: 'Passed' })).toHaveText(/Passed: 1 expects passed, 0 failed/);
    await expect(region.getByRole('list', { name: 'Script results' })).toContainText(`connect: connected to 127.0.0.1:${port} (tcp)`);
    await expect(region.getByRole('textbox', { name: 'Script text' })).toHaveValue(/from the top bar/);
    await expect(region.getByRole('log', { name: 'Traffic' })).toContainText('from the top bar');
  });
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
