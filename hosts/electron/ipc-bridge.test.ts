/**
 * The menu-command half of the IPC bridge: a command reaches a window only when its page is ours
 * and the name is one of the fixed enum. 'electron' is a fake (sendMenuCommand touches only the
 * WebContents it is given).
 */
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../../shared/preload-api';

vi.mock('electron', () => ({ ipcMain: { on: () => undefined } }));

const { sendMenuCommand } = await import('./ipc-bridge');

function contents(url: string, destroyed = false) {
  const sent: unknown[][] = [];
  return { sent, c: { isDestroyed: () => destroyed, getURL: () => url, send: (...a: unknown[]) => sent.push(a) } as unknown as Electron.WebContents };
}

describe('sendMenuCommand', () => {
  it('sends the name on the menu channel to a page of ours', () => {
    const w = contents('app://sockscope/index.html');
    sendMenuCommand(w.c, 'new-listener');
    expect(w.sent).toEqual([[IPC_CHANNELS.menuCommand, 'new-listener']]);
  });

  it('sends nothing to another page, a destroyed window, or for a name outside the enum', () => {
    const elsewhere = contents('https://example.invalid/');
    sendMenuCommand(elsewhere.c, 'new-listener');
    const gone = contents('app://sockscope/index.html', true);
    sendMenuCommand(gone.c, 'new-listener');
    const ours = contents('app://sockscope/index.html');
    sendMenuCommand(ours.c, 'format-disk' as never);
    expect([elsewhere.sent, gone.sent, ours.sent]).toEqual([[], [], []]);
  });
});
