/**
 * Boots the desktop app: security defaults, the app:// protocol, the engine and its IPC bridge,
 * one window. Everything else lives in its own module.
 */
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createEngineHost } from './engine';
import { registerAppProtocol, registerAppScheme } from './main/app-protocol';
import { registerIpcBridge } from './main/ipc-bridge';
import { hardenSessions } from './main/security';
import { createMainWindow } from './main/window';

registerAppScheme();
app.enableSandbox();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const host = createEngineHost({ mode: 'electron', version: app.getVersion(), dataDir: app.getPath('userData') });
  const rendererDir = join(__dirname, '..', 'renderer');
  const preload = join(__dirname, '..', 'preload', 'preload.cjs');

  void app.whenReady().then(() => {
    hardenSessions();
    registerAppProtocol(rendererDir);
    registerIpcBridge(host);
    createMainWindow(preload);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(preload);
    });
  });

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Close every socket (and remove socket files) before the process goes.
  let closing = false;
  app.on('will-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void host.engine.shutdown().finally(() => app.quit());
  });
}
