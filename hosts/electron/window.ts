import { BrowserWindow } from 'electron';
import { APP_ORIGIN } from './app-protocol';
import type { WindowPlace } from './window-place';

/** `place`: where the person left the window last time (window-place.ts); default size otherwise. */
export function createMainWindow(preload: string, place: WindowPlace = { bounds: null, maximized: false }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    ...(place.bounds ?? {}),
    minWidth: 800,
    minHeight: 520,
    title: 'Sockscope',
    backgroundColor: '#0f1419',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      // Middle-click on a link would otherwise ask for a new window (denied anyway): checklist #14.
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => (place.maximized ? win.maximize() : win.show()));
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}
