/**
 * The native application menu: File, Edit, View, Endpoint, Help (plus the app and Window menus
 * macOS expects). Items that act in the UI send one AppCommand name to the focused window's page;
 * the accelerators come from shared/app-commands.ts, the same table the browser-mode key handler
 * and the Keyboard shortcuts dialog read. The template is built by a pure function so it is tested
 * without Electron.
 */
import { app, BrowserWindow, Menu, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { electronAccelerator, menuChord, type AppCommand } from '../../shared/app-commands';
import { openExternalSafely } from './security';

export const PROJECT_PAGE = 'https://github.com/sockscope/sockscope';

export interface MenuOptions {
  mac: boolean;
  /** Development builds only: reload and developer tools (a packaged app offers neither). */
  devTools: boolean;
  send(command: AppCommand): void;
  openProjectPage(): void;
}

export function buildMenuTemplate(o: MenuOptions): MenuItemConstructorOptions[] {
  const command = (label: string, name: AppCommand): MenuItemConstructorOptions => {
    const chord = menuChord(name);
    return { label, click: () => o.send(name), ...(chord ? { accelerator: electronAccelerator(chord) } : {}) };
  };
  const separator: MenuItemConstructorOptions = { type: 'separator' };

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      command('New listener…', 'new-listener'),
      command('New connection…', 'new-connection'),
      command('New UDP endpoint…', 'new-udp-endpoint'),
      separator,
      command('Export session…', 'export-session'),
      command('Import session…', 'import-session'),
      separator,
      o.mac ? { role: 'close' } : { role: 'quit' },
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      separator,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'delete' },
      { role: 'selectAll' },
      separator,
      command('Search traffic', 'search-traffic'),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      command('Endpoints', 'show-endpoints'),
      command('System sockets', 'show-system-sockets'),
      separator,
      ...(o.devTools ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator] as const) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      separator,
      { role: 'togglefullscreen' },
    ],
  };
  const endpoint: MenuItemConstructorOptions = {
    label: 'Endpoint',
    submenu: [
      command('Send message', 'send-message'),
      command('Save message…', 'save-message'),
      separator,
      command('Next endpoint', 'next-endpoint'),
      command('Previous endpoint', 'previous-endpoint'),
    ],
  };
  const help: MenuItemConstructorOptions = {
    label: 'Help',
    role: 'help',
    submenu: [
      command('Keyboard shortcuts', 'keyboard-shortcuts'),
      { label: 'Sockscope on GitHub', click: () => o.openProjectPage() },
      // macOS has About in the app menu.
      ...(o.mac ? [] : ([separator, { role: 'about' }] as const)),
    ],
  };
  return [
    ...(o.mac ? [{ role: 'appMenu' } as const] : []),
    file,
    edit,
    view,
    endpoint,
    ...(o.mac ? [{ role: 'windowMenu' } as const] : []),
    help,
  ];
}

/** Installs the menu; its commands go to the focused window (or the only one) through `send`. */
export function installApplicationMenu(send: (contents: WebContents, command: AppCommand) => void): void {
  const template = buildMenuTemplate({
    mac: process.platform === 'darwin',
    devTools: !app.isPackaged,
    send: (command) => {
      const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      if (win) send(win.webContents, command);
    },
    openProjectPage: () => openExternalSafely(PROJECT_PAGE),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
