/**
 * Checklist #20 (do not expose Electron APIs to untrusted web content): the sandboxed preload puts
 * exactly three functions on `window.sockscope` (the session protocol's send and onMessage, and the
 * menu's commands), never ipcRenderer, and never hands the renderer the IPC event object; menu commands reach the page only as names of the fixed AppCommand enum. 'electron' is a fake that records what the preload does.
 */
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, PRELOAD_GLOBAL, type SockscopePreloadApi } from '../../shared/preload-api';

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  sent: [] as unknown[][],
  listeners: new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    send: (...args: unknown[]) => {
      fake.sent.push(args);
    },
    on: (channel: string, l: (event: unknown, ...args: unknown[]) => void) => {
      fake.listeners.set(channel, [...(fake.listeners.get(channel) ?? []), l]);
    },
    removeListener: (channel: string, l: unknown) => {
      fake.listeners.set(channel, (fake.listeners.get(channel) ?? []).filter((x) => x !== l));
    },
  },
}));

await import('./preload');

describe('preload', () => {
  it('exposes only window.sockscope with send, onMessage and onMenuCommand', () => {
    expect([...fake.exposed.keys()]).toEqual([PRELOAD_GLOBAL]);
    const api = fake.exposed.get(PRELOAD_GLOBAL) as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['onMenuCommand', 'onMessage', 'send']);
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
  });

  it('session messages go out on the one session channel and arrive without the IPC event object', () => {
    const api = fake.exposed.get(PRELOAD_GLOBAL) as SockscopePreloadApi;
    api.send({ type: 'invoke', id: 1, command: 'app:info', payload: {} });
    expect(fake.sent).toEqual([[IPC_CHANNELS.session, { type: 'invoke', id: 1, command: 'app:info', payload: {} }]]);
    const got: unknown[][] = [];
    const off = api.onMessage((...args) => got.push(args));
    const sender = { sender: 'ipcRenderer itself', senderFrame: {} };
    for (const l of fake.listeners.get(IPC_CHANNELS.session) ?? []) l(sender, { type: 'batch', batch: { seq: 1, events: [] } });
    expect(got).toEqual([[{ type: 'batch', batch: { seq: 1, events: [] } }]]);
    off();
    expect(fake.listeners.get(IPC_CHANNELS.session)).toEqual([]);
  });

  it('menu commands arrive as bare names of the enum; anything else is dropped', () => {
    const api = fake.exposed.get(PRELOAD_GLOBAL) as SockscopePreloadApi;
    const got: unknown[][] = [];
    const off = api.onMenuCommand((...args) => got.push(args));
    const sender = { sender: 'ipcRenderer itself', senderFrame: {} };
    for (const sent of ['new-listener', 'rm -rf', { command: 'new-listener' }, 42, 'keyboard-shortcuts']) {
      for (const l of fake.listeners.get(IPC_CHANNELS.menuCommand) ?? []) l(sender, sent);
    }
    expect(got).toEqual([['new-listener'], ['keyboard-shortcuts']]);
    off();
    expect(fake.listeners.get(IPC_CHANNELS.menuCommand)).toEqual([]);
  });
});
