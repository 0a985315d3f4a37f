/**
 * The only module that touches ipcMain. Every command goes: sender check → dispatcher (strict
 * schema parse and limits) → handler; every window gets its events in batches, and the menu's
 * commands by name.
 */
import { app, ipcMain, webContents } from 'electron';
import { AppCommand } from '../../shared/app-commands';
import type { CommandResult } from '../../shared/contract';
import { IPC_CHANNELS } from '../../shared/preload-api';
import type { EngineHost } from '../../engine';
import { isAppUrl } from './app-origin';
import { isTrustedSender } from './trusted-sender';

const FORBIDDEN: CommandResult = { ok: false, error: { code: 'FORBIDDEN', message: 'sender is not the app' } };

export function registerIpcBridge({ engine, dispatch }: EngineHost): void {
  ipcMain.handle(IPC_CHANNELS.invoke, async (event, command: unknown, payload: unknown) => {
    if (!isTrustedSender(event.senderFrame)) return FORBIDDEN;
    return dispatch(command, payload);
  });

  const attached = new Set<number>();
  const attach = (contents: Electron.WebContents) => {
    if (attached.has(contents.id) || contents.getType() !== 'window') return;
    attached.add(contents.id);
    const detach = engine.attachClient({
      send: (batch) => {
        // Only a page of ours receives engine events (navigation elsewhere is denied anyway).
        if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(IPC_CHANNELS.events, batch);
      },
    });
    contents.once('destroyed', () => {
      attached.delete(contents.id);
      detach();
    });
  };
  for (const c of webContents.getAllWebContents()) attach(c);
  // Windows created later (there is one today) get their own batcher.
  app.on('web-contents-created', (_e, c) => attach(c));
}

/** Hands one application-menu command to a window's page — ours only, and only a name of the fixed enum. */
export function sendMenuCommand(contents: Electron.WebContents, command: AppCommand): void {
  if (!AppCommand.safeParse(command).success) return;
  if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(IPC_CHANNELS.menuCommand, command);
}
