/**
 * Every window's webPreferences (Electron security checklist #2–#4, #6, #8–#11): checked on the
 * options createMainWindow really passes, with 'electron' replaced by a fake BrowserWindow.
 */
import { describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => ({ created: [] as { options: Record<string, unknown>; loaded: string[] }[] }));

vi.mock('electron', () => ({
  BrowserWindow: class {
    loaded: string[] = [];
    constructor(options: Record<string, unknown>) {
      fake.created.push({ options, loaded: this.loaded });
    }
    once() {}
    show() {}
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
  },
}));

const { createMainWindow } = await import('./window');

describe('createMainWindow', () => {
  it('sandboxes and isolates the renderer, with Node and every risky feature off, and loads app://', () => {
    createMainWindow('/opt/sockscope/preload.cjs');
    const [w] = fake.created;
    expect(w!.options.webPreferences).toMatchObject({
      preload: '/opt/sockscope/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
    });
    const prefs = w!.options.webPreferences as Record<string, unknown>;
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(w!.loaded).toEqual(['app://sockscope/index.html']);
  });
});
