/** The window's place survives a restart, but never opens it off every screen. */
import { describe, expect, it, vi } from 'vitest';

const displays = vi.hoisted(() => ({ workAreas: [{ x: 0, y: 0, width: 1920, height: 1040 }] }));
vi.mock('electron', () => ({ screen: { getAllDisplays: () => displays.workAreas.map((workArea) => ({ workArea })) } }));

const { savedWindowPlace, rememberWindowPlace } = await import('./window-place');
const { SessionStore } = await import('../../engine/session/session-store');

const store = () =>
  new SessionStore({
    dataDir: null,
    endpoints: () => new Map(),
    recentHosts: () => ({ tcp: [], udp: [], unix: [] }),
    onMessagesChanged: () => {},
    onStatusChanged: () => {},
  });

/** Enough of a BrowserWindow for rememberWindowPlace. */
function fakeWindow(bounds: { x: number; y: number; width: number; height: number }, maximized = false) {
  const handlers = new Map<string, () => void>();
  return {
    handlers,
    win: {
      on: (e: string, fn: () => void) => handlers.set(e, fn),
      isDestroyed: () => false,
      isMinimized: () => false,
      isMaximized: () => maximized,
      getBounds: () => bounds,
      getNormalBounds: () => ({ x: 10, y: 20, width: 1000, height: 700 }),
    },
  };
}

describe('the window place', () => {
  it('is saved as the window closes, and offered to the next window', () => {
    const session = store();
    const { win, handlers } = fakeWindow({ x: 100, y: 50, width: 1200, height: 800 });
    rememberWindowPlace(win as never, session);
    handlers.get('close')?.();
    expect(session.windowState()).toEqual({ x: 100, y: 50, width: 1200, height: 800, maximized: false });
    expect(savedWindowPlace(session)).toEqual({ bounds: { x: 100, y: 50, width: 1200, height: 800 }, maximized: false });
  });

  it('a maximized window keeps the size it returns to', () => {
    const session = store();
    const { win, handlers } = fakeWindow({ x: 0, y: 0, width: 1920, height: 1040 }, true);
    rememberWindowPlace(win as never, session);
    handlers.get('close')?.();
    expect(session.windowState()).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
  });

  it('a place on a display that is gone is not used (default size, centred)', () => {
    const session = store();
    session.setWindowState({ x: 2500, y: 100, width: 1200, height: 800, maximized: false });
    expect(savedWindowPlace(session)).toEqual({ bounds: null, maximized: false });
    displays.workAreas.push({ x: 1920, y: 0, width: 1920, height: 1080 });
    expect(savedWindowPlace(session).bounds).toEqual({ x: 2500, y: 100, width: 1200, height: 800 });
  });
});
