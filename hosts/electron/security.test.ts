/**
 * The wiring of security.ts and ipc-bridge.ts, with 'electron' replaced by a small fake (the real
 * module cannot load under plain Node). The decisions themselves are tested in
 * trusted-sender.test.ts and external-links.test.ts; here: every handler is installed, denies, and
 * a refused IPC call reaches nothing.
 */
import { EventEmitter } from 'node:events';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommandResult } from '../../shared/contract';
import { IPC_CHANNELS } from '../../shared/preload-api';

const fake = await vi.hoisted(async () => {
  const { EventEmitter: EE } = await import('node:events');
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const opened: string[] = [];
  const makeSession = () => ({
    events: new EE(),
    on(name: string, h: (...a: unknown[]) => void) {
      this.events.on(name, h);
    },
    request: null as null | ((...a: unknown[]) => void),
    check: null as null | ((...a: unknown[]) => boolean),
    device: null as null | ((...a: unknown[]) => boolean),
    setPermissionRequestHandler(h: (...a: unknown[]) => void) {
      this.request = h;
    },
    setPermissionCheckHandler(h: (...a: unknown[]) => boolean) {
      this.check = h;
    },
    setDevicePermissionHandler(h: (...a: unknown[]) => boolean) {
      this.device = h;
    },
  });
  return {
    app: new EE(),
    handlers,
    opened,
    makeSession,
    defaultSession: makeSession(),
    allContents: [] as unknown[],
  };
});

vi.mock('electron', () => ({
  app: fake.app,
  session: { defaultSession: fake.defaultSession },
  shell: {
    openExternal: (url: string) => {
      fake.opened.push(url);
      return Promise.resolve();
    },
  },
  ipcMain: { on: (channel: string, h: (...args: unknown[]) => unknown) => fake.handlers.set(channel, h) },
  webContents: { getAllWebContents: () => fake.allContents },
}));

const { hardenSessions, lockDownContents, openExternalSafely } = await import('./security');
const { registerIpcBridge } = await import('./ipc-bridge');

/** A webContents with just what lockDownContents touches. */
let nextId = 1;
class FakeContents extends EventEmitter {
  readonly id = nextId++;
  url = 'app://sockscope/index.html';
  sent: unknown[] = [];
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  getType = () => 'window';
  getURL = () => this.url;
  isDestroyed = () => false;
  send(channel: string, batch: unknown) {
    this.sent.push([channel, batch]);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function event(extra: object = {}) {
  let prevented = false;
  return {
    ...extra,
    preventDefault: () => {
      prevented = true;
    },
    get prevented() {
      return prevented;
    },
  };
}

beforeEach(() => {
  fake.opened.length = 0;
});

describe('session hardening', () => {
  beforeAll(() => hardenSessions());

  it('denies every permission request, check and device permission, in the default and every later session', () => {
    const later = fake.makeSession();
    fake.app.emit('session-created', later);
    for (const s of [fake.defaultSession, later]) {
      const answers: boolean[] = [];
      for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'display-capture', 'openExternal']) {
        s.request?.({}, p, (granted: boolean) => answers.push(granted));
      }
      expect(answers).toEqual([false, false, false, false, false, false]);
      expect(s.check?.({}, 'clipboard-read')).toBe(false);
      expect(s.device?.({ deviceType: 'usb' })).toBe(false);
    }
  });

  it('cancels every download but a file our own page made, in the default and every later session', () => {
    const later = fake.makeSession();
    fake.app.emit('session-created', later);
    const ours = { getURL: () => 'app://sockscope/index.html' };
    const foreign = { getURL: () => 'https://attacker.example/' };
    for (const s of [fake.defaultSession, later]) {
      const cases: [string, { getURL: () => string }, boolean][] = [
        ['https://attacker.example/payload.exe', ours, true],
        ['blob:https://attacker.example/1b4e', ours, true],
        ['blob:app://sockscope.evil/1b4e', ours, true],
        ['file:///etc/passwd', ours, true],
        ['blob:app://sockscope/1b4e', foreign, true],
        ['blob:app://sockscope/1b4e', ours, false],
      ];
      for (const [url, contents, cancelled] of cases) {
        const e = event();
        const dialogs: unknown[] = [];
        const item = { getURL: () => url, getFilename: () => 'session.json', setSaveDialogOptions: (o: unknown) => dialogs.push(o) };
        s.events.emit('will-download', e, item, contents);
        expect(e.prevented, url).toBe(cancelled);
        // Allowed only through the save dialog, never to a path chosen for the person.
        expect(dialogs, url).toHaveLength(cancelled ? 0 : 1);
      }
    }
  });

  it('locks down every webContents created later', () => {
    const c = new FakeContents();
    fake.app.emit('web-contents-created', {}, c);
    expect(c.openHandler).not.toBeNull();
    expect(c.listenerCount('will-navigate')).toBe(1);
  });
});

describe('lockDownContents', () => {
  const c = new FakeContents();
  lockDownContents(c as never);

  it('denies navigation away from app://sockscope, in the main frame and in any frame', () => {
    for (const url of ['https://attacker.example/', 'file:///etc/passwd', 'app://evil/', 'javascript:alert(1)']) {
      const e = event();
      c.emit('will-navigate', e, url);
      expect(e.prevented, url).toBe(true);
      const f = event({ url });
      c.emit('will-frame-navigate', f);
      expect(f.prevented, url).toBe(true);
    }
    const ok = event();
    c.emit('will-navigate', ok, 'app://sockscope/index.html');
    expect(ok.prevented).toBe(false);
    expect(fake.opened).toEqual([]);
  });

  it('denies every redirect, window.open and <webview>', () => {
    const r = event();
    c.emit('will-redirect', r, 'app://sockscope/index.html');
    expect(r.prevented).toBe(true);
    expect(c.openHandler?.({ url: 'app://sockscope/index.html' })).toEqual({ action: 'deny' });
    expect(c.openHandler?.({ url: 'https://attacker.example/' })).toEqual({ action: 'deny' });
    const w = event();
    c.emit('will-attach-webview', w, { nodeIntegration: true }, { src: 'https://attacker.example/' });
    expect(w.prevented).toBe(true);
    expect(fake.opened).toEqual([]);
  });

  it('hands only allow-listed https URLs to shell.openExternal (a new window is still denied)', () => {
    expect(c.openHandler?.({ url: 'https://github.com/sockscope/sockscope/issues' })).toEqual({ action: 'deny' });
    expect(openExternalSafely('file:///bin/sh')).toBe(false);
    expect(openExternalSafely('https://github.com/sockscope/sockscope')).toBe(true);
    expect(fake.opened).toEqual(['https://github.com/sockscope/sockscope/issues', 'https://github.com/sockscope/sockscope']);
  });
});

describe('IPC bridge sender check', () => {
  const dispatched: unknown[] = [];
  const attached: unknown[] = [];
  registerIpcBridge({
    // The session calls what a real AttachedClient has (detach, restart, synced, watch): a bare function made it log an internal error.
    engine: {
      attachClient: (sink: unknown) => {
        attached.push(sink);
        return Object.assign(() => {}, { restart: () => {}, synced: () => {}, watch: () => {}, watching: () => null });
      },
    } as never,
    dispatch: async (command, payload) => {
      dispatched.push([command, payload]);
      return { ok: true, value: null };
    },
  });
  const onSession = fake.handlers.get(IPC_CHANNELS.session)!;
  const listen = { type: 'invoke', id: 1, command: 'tcp:listen', payload: { bindAddress: '127.0.0.1', port: 0 } };
  const settle = () => new Promise((r) => setTimeout(r, 20));

  beforeEach(() => {
    dispatched.length = 0;
  });

  it('refuses a wrong origin, a subframe and a null senderFrame: nothing dispatched, nothing answered', async () => {
    const top = { url: 'app://sockscope/index.html', parent: null };
    const c = new FakeContents();
    for (const frame of [
      { url: 'https://attacker.example/', parent: null },
      { url: 'app://evil/index.html', parent: null },
      { url: 'app://sockscope/index.html', parent: top },
      null,
      undefined,
    ]) {
      onSession({ sender: c, senderFrame: frame }, listen);
    }
    await settle();
    expect(dispatched).toEqual([]);
    expect(c.sent).toEqual([]);
  });

  it("passes the app's own top-level frame to the dispatcher and answers on the session channel", async () => {
    const c = new FakeContents();
    onSession({ sender: c, senderFrame: { url: 'app://sockscope/index.html', parent: null } }, listen);
    await settle();
    expect(dispatched).toEqual([['tcp:listen', { bindAddress: '127.0.0.1', port: 0 }]]);
    expect(c.sent).toEqual([[IPC_CHANNELS.session, { type: 'result', id: 1, result: { ok: true, value: null } satisfies CommandResult }]]);
  });

  it('sends event batches only to a window showing our own page', async () => {
    const c = new FakeContents();
    onSession({ sender: c, senderFrame: { url: 'app://sockscope/index.html', parent: null } }, { type: 'hello', protocol: 1 });
    await settle();
    c.sent.length = 0;
    const sink = attached.at(-1) as { send(batch: unknown): void };
    sink.send({ seq: 1, events: [] });
    c.url = 'https://attacker.example/';
    sink.send({ seq: 2, events: [] });
    expect(c.sent).toEqual([[IPC_CHANNELS.session, { type: 'batch', batch: { seq: 1, events: [] } }]]);
  });
});
