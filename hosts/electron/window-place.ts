/**
 * The desktop window opens where the person left it (size, position, maximized), kept in the
 * session file. A place on a display that is gone (a monitor unplugged) is not used: the window
 * would open off screen.
 */
import { screen, type BrowserWindow, type Rectangle } from 'electron';
import type { WindowBounds } from '../../shared/session';
import type { SessionStore } from '../../engine/session/session-store';

const SAVE_AFTER_MS = 500;
/** At least this much of the window must be on some display's work area. */
const MIN_VISIBLE = 100;

export interface WindowPlace {
  bounds: Rectangle | null;
  maximized: boolean;
}

export function savedWindowPlace(session: SessionStore): WindowPlace {
  const saved = session.windowState();
  if (!saved) return { bounds: null, maximized: false };
  const areas = screen.getAllDisplays().map((d) => d.workArea);
  return { bounds: visibleOnSome(saved, areas) ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : null, maximized: saved.maximized };
}

export function visibleOnSome(b: WindowBounds, areas: Rectangle[]): boolean {
  return areas.some((a) => {
    const w = Math.min(b.x + b.width, a.x + a.width) - Math.max(b.x, a.x);
    const h = Math.min(b.y + b.height, a.y + a.height) - Math.max(b.y, a.y);
    return w >= MIN_VISIBLE && h >= MIN_VISIBLE;
  });
}

/** Saves the window's place after it moves or resizes (debounced), and as it closes. */
export function rememberWindowPlace(win: BrowserWindow, session: SessionStore): BrowserWindow {
  let timer: NodeJS.Timeout | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (win.isDestroyed() || win.isMinimized()) return;
    const maximized = win.isMaximized();
    // A maximized window's own bounds are the screen's: keep the size it returns to.
    const b = maximized ? win.getNormalBounds() : win.getBounds();
    session.setWindowState({ x: b.x, y: b.y, width: Math.max(b.width, 200), height: Math.max(b.height, 200), maximized });
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_AFTER_MS);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', save);
  return win;
}
