/**
 * The application menu as data: its menus, each item's role or the one command it sends, and the
 * accelerators (from the shared shortcut table, none used twice). 'electron' is a fake: the
 * template builder is pure, and installApplicationMenu is checked on what it hands to Menu.
 */
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { SHORTCUTS, electronAccelerator, type AppCommand } from '../../shared/app-commands';

const fake = vi.hoisted(() => ({
  packaged: false,
  template: null as MenuItemConstructorOptions[] | null,
  focused: null as { webContents: { id: number } } | null,
  all: [] as { webContents: { id: number } }[],
  opened: [] as string[],
}));

vi.mock('electron', () => ({
  app: {
    get isPackaged() {
      return fake.packaged;
    },
    on: () => undefined,
  },
  BrowserWindow: { getFocusedWindow: () => fake.focused, getAllWindows: () => fake.all },
  Menu: {
    buildFromTemplate: (t: MenuItemConstructorOptions[]) => ({ template: t }),
    setApplicationMenu: (m: { template: MenuItemConstructorOptions[] }) => (fake.template = m.template),
  },
  session: { defaultSession: {} },
  shell: { openExternal: (url: string) => fake.opened.push(url) },
}));

const { buildMenuTemplate, installApplicationMenu, PROJECT_PAGE } = await import('./menu');

type Item = MenuItemConstructorOptions;
const submenu = (item: Item): Item[] => (Array.isArray(item.submenu) ? (item.submenu as Item[]) : []);
const allItems = (template: Item[]): Item[] => template.flatMap((m) => [m, ...allItems(submenu(m))]);

function build(over: { mac?: boolean; devTools?: boolean } = {}) {
  const sent: AppCommand[] = [];
  let projectPageOpened = 0;
  const template = buildMenuTemplate({
    mac: over.mac ?? false,
    devTools: over.devTools ?? false,
    send: (c) => sent.push(c),
    openProjectPage: () => projectPageOpened++,
  });
  return { template, sent, projectPageOpened: () => projectPageOpened };
}

function click(item: Item | undefined): void {
  expect(item, 'menu item').toBeDefined();
  (item!.click as () => void)();
}

describe('application menu template', () => {
  it('has File, Edit, View, Endpoint and Help; macOS adds its app and Window menus', () => {
    expect(build().template.map((m) => m.label)).toEqual(['File', 'Edit', 'View', 'Endpoint', 'Help']);
    const mac = build({ mac: true }).template;
    expect(mac.map((m) => m.role ?? m.label)).toEqual(['appMenu', 'File', 'Edit', 'View', 'Endpoint', 'windowMenu', 'help']);
  });

  it('sends exactly one named command per UI item, with the shared accelerators', () => {
    const expected: [string, string, AppCommand, string | undefined][] = [
      ['File', 'New listener…', 'new-listener', 'CmdOrCtrl+Shift+L'],
      ['File', 'New connection…', 'new-connection', 'CmdOrCtrl+Shift+O'],
      ['File', 'New UDP endpoint…', 'new-udp-endpoint', 'CmdOrCtrl+Shift+D'],
      ['File', 'Export session…', 'export-session', undefined],
      ['File', 'Import session…', 'import-session', undefined],
      ['Edit', 'Search traffic', 'search-traffic', 'CmdOrCtrl+F'],
      ['View', 'Endpoints', 'show-endpoints', undefined],
      ['View', 'System sockets', 'show-system-sockets', undefined],
      ['Endpoint', 'Send message', 'send-message', undefined],
      ['Endpoint', 'Save message…', 'save-message', 'CmdOrCtrl+S'],
      ['Endpoint', 'Next endpoint', 'next-endpoint', 'Alt+Down'],
      ['Endpoint', 'Previous endpoint', 'previous-endpoint', 'Alt+Up'],
      ['Help', 'Keyboard shortcuts', 'keyboard-shortcuts', 'F1'],
    ];
    for (const [menu, label, command, accelerator] of expected) {
      const { template, sent } = build();
      const item = submenu(template.find((m) => m.label === menu)!).find((i) => i.label === label);
      click(item);
      expect(sent, label).toEqual([command]);
      expect(item!.accelerator, label).toBe(accelerator);
    }
  });

  it('gives every menu-owned shortcut its accelerator once, and no two items the same one', () => {
    const items = allItems(build({ mac: false, devTools: true }).template);
    for (const s of SHORTCUTS.filter((x) => x.menuAccelerator)) {
      const holders = items.filter((i) => i.accelerator === electronAccelerator(s.keys[0] as string));
      expect(holders.map((i) => i.label), s.command).toHaveLength(1);
    }
    // Our accelerators must not shadow the roles' defaults (Electron's defaults for these roles).
    const roleDefaults = ['CmdOrCtrl+Z', 'Shift+CmdOrCtrl+Z', 'CmdOrCtrl+X', 'CmdOrCtrl+C', 'CmdOrCtrl+V', 'CmdOrCtrl+A', 'CmdOrCtrl+R', 'Shift+CmdOrCtrl+R', 'CmdOrCtrl+0', 'CmdOrCtrl+Plus', 'CmdOrCtrl+-', 'F11', 'CmdOrCtrl+Q', 'CmdOrCtrl+W'];
    const ours = items.map((i) => i.accelerator).filter((a): a is string => typeof a === 'string');
    expect(new Set(ours).size).toBe(ours.length);
    for (const a of ours) expect(roleDefaults, a).not.toContain(a);
  });

  it('uses Electron roles for editing, zoom and quitting', () => {
    const roles = (t: Item[], menu: string) => submenu(t.find((m) => m.label === menu)!).map((i) => i.role).filter(Boolean);
    const { template } = build();
    expect(roles(template, 'Edit')).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'delete', 'selectAll']);
    expect(roles(template, 'View')).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'togglefullscreen']);
    expect(roles(template, 'File')).toEqual(['quit']);
    expect(roles(build({ mac: true }).template, 'File')).toEqual(['close']);
    expect(roles(template, 'Help')).toEqual(['about']);
  });

  it('offers reload and developer tools only in development builds', () => {
    const roles = (t: Item[]) => allItems(t).map((i) => i.role);
    expect(roles(build({ devTools: false }).template)).not.toEqual(expect.arrayContaining(['toggleDevTools']));
    expect(roles(build({ devTools: false }).template)).not.toContain('reload');
    expect(roles(build({ devTools: true }).template)).toEqual(expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']));
  });

  it('Help › Sockscope on GitHub opens the project page and sends nothing to the page', () => {
    const b = build();
    click(submenu(b.template.find((m) => m.label === 'Help')!).find((i) => i.label === 'Sockscope on GitHub'));
    expect(b.projectPageOpened()).toBe(1);
    expect(b.sent).toEqual([]);
  });
});

describe('installApplicationMenu', () => {
  const item = (label: string) => allItems(fake.template ?? []).find((i) => i.label === label);

  it('sends a command to the focused window, or the only window, and to none when there is none', () => {
    fake.packaged = true;
    const sent: [number, AppCommand][] = [];
    installApplicationMenu((contents, command) => sent.push([(contents as unknown as { id: number }).id, command]));
    // A packaged build: no developer tools.
    expect(allItems(fake.template!).map((i) => i.role)).not.toContain('toggleDevTools');

    fake.focused = { webContents: { id: 7 } };
    fake.all = [{ webContents: { id: 3 } }, fake.focused];
    click(item('New listener…'));
    fake.focused = null;
    click(item('Next endpoint'));
    fake.all = [];
    click(item('Keyboard shortcuts'));
    expect(sent).toEqual([
      [7, 'new-listener'],
      [3, 'next-endpoint'],
    ]);
  });

  it('opens only the allow-listed project page', () => {
    click(item('Sockscope on GitHub'));
    expect(fake.opened).toEqual([PROJECT_PAGE]);
  });
});
