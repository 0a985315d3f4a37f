import { hostname } from 'node:os';
import { expect, test } from './fixtures';

test('the app reaches ready, with the shell a person expects', async ({ page }) => {
  await expect(page).toHaveTitle('Sockscope');
  await expect(page.locator('html')).toHaveAttribute('data-app-state', 'ready');
  for (const name of ['New listener', 'New connection', 'New UDP endpoint']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('tab', { name: 'System sockets' })).toBeVisible();
});

test('the status bar shows the engine connected and the machine hostname', async ({ page }) => {
  const status = page.getByRole('contentinfo', { name: 'Status' });
  await expect(status.getByRole('status')).toHaveText(/Engine connected/);
  await expect(status).toContainText(hostname());
});

test('a command with an invalid payload gets a validation error and the app keeps working', async ({ page, appMode }) => {
  const results = await page.evaluate(async (mode) => {
    type Invoke = (command: string, payload: unknown) => Promise<unknown>;
    let invoke: Invoke;
    if (mode === 'electron') {
      // The preload's session port, with invoke ids of our own far above the app's.
      type Api = { send(m: unknown): void; onMessage(l: (m: { type: string; id?: number; result?: unknown }) => void): () => void };
      const api = (window as unknown as { sockscope: Api }).sockscope;
      let id = 1_000_000;
      invoke = (command, payload) =>
        new Promise((resolve) => {
          const mine = ++id;
          const off = api.onMessage((msg) => {
            if (msg.type === 'result' && msg.id === mine) {
              off();
              resolve(msg.result);
            }
          });
          api.send({ type: 'invoke', id: mine, command, payload });
        });
    } else {
      // A second client with this tab's token, speaking the same contract as the app's bridge.
      const token = sessionStorage.getItem('sockscope.token') ?? '';
      const ws = new WebSocket(`ws://${location.host}/ws`, ['sockscope.v1', `sockscope.token.${token}`]);
      await new Promise((r, j) => {
        ws.onopen = r;
        ws.onerror = j;
      });
      let id = 0;
      invoke = (command, payload) =>
        new Promise((resolve) => {
          const mine = ++id;
          ws.addEventListener('message', function onMsg(ev) {
            const msg = JSON.parse(String(ev.data)) as { type: string; id: number; result: unknown };
            if (msg.type === 'result' && msg.id === mine) {
              ws.removeEventListener('message', onMsg);
              resolve(msg.result);
            }
          });
          ws.send(JSON.stringify({ type: 'invoke', id: mine, command, payload }));
        });
    }
    return {
      badPort: await invoke('tcp:listen', { bindAddress: '127.0.0.1', port: 70000 }),
      extraKey: await invoke('app:info', { evil: true }),
      unknown: await invoke('tcp:explode', {}),
      info: await invoke('app:info', {}),
    };
  }, appMode);
  expect(results.badPort).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  expect(results.extraKey).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  expect(results.unknown).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  expect(results.info).toMatchObject({ ok: true, value: { name: 'Sockscope' } });
  // Nothing was created by the refused commands, and the UI still answers.
  await expect(page.getByRole('region')).toHaveCount(0);
  await page.getByRole('button', { name: 'New listener', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'New listener' })).toBeVisible();
});
