/**
 * The only module that touches ipcMain: it wires Electron's IPC to the UI session's IPC port
 * (ipc-sessions.ts: sender check → session → dispatcher) and hands the menu's commands to a window
 * by name.
 */
import { ipcMain } from 'electron';
import { AppCommand } from '../../shared/app-commands';
import { IPC_CHANNELS } from '../../shared/preload-api';
import type { EngineHost } from '../../engine';
import { isAppUrl } from './app-origin';
import { createIpcSessions } from './ipc-sessions';

export function registerIpcBridge(host: EngineHost): void {
  const sessions = createIpcSessions(host);
  ipcMain.on(IPC_CHANNELS.session, (event, message: unknown) => sessions.receive(event.sender, event.senderFrame, message));
}

/** Hands one application-menu command to a window's page — ours only, and only a name of the fixed enum. */
export function sendMenuCommand(contents: Electron.WebContents, command: AppCommand): void {
  if (!AppCommand.safeParse(command).success) return;
  if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(IPC_CHANNELS.menuCommand, command);
}
