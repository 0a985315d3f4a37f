/**
 * Boots the desktop app: security defaults, the app:// protocol, the engine and its IPC bridge,
 * the application menu, one window. Everything else lives in its own module.
 */
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { createEngineHost } from '../../engine';
import { registerAppProtocol, registerAppScheme } from './app-protocol';
import { registerIpcBridge, sendMenuCommand } from './ipc-bridge';
import { installApplicationMenu } from './menu';
import { hardenSessions } from './security';
import { createMainWindow } from './window';
import { rememberWindowPlace, savedWindowPlace } from './window-place';

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
    installApplicationMenu(sendMenuCommand);
    const session = host.engine.session;
    const openWindow = () => rememberWindowPlace(createMainWindow(preload, savedWindowPlace(session)), session);
    openWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) openWindow();
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
