/**
 * Checklist #20 (do not expose Electron APIs to untrusted web content): the sandboxed preload puts
 * exactly three functions on `window.sockscope`, never ipcRenderer, and never hands the renderer the
 * IPC event object; menu commands reach the page only as names of the fixed AppCommand enum. 'electron' is a fake that records what the preload does.
 */
import { describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS, PRELOAD_GLOBAL, type SockscopePreloadApi } from '../../shared/preload-api';

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
  listeners: new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>(),
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      fake.invoked.push(args);
      return Promise.resolve({ ok: true, value: null });
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
  it('exposes only window.sockscope with invoke, onEvents and onMenuCommand', () => {
    expect([...fake.exposed.keys()]).toEqual([PRELOAD_GLOBAL]);
    const api = fake.exposed.get(PRELOAD_GLOBAL) as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onEvents', 'onMenuCommand']);
    for (const v of Object.values(api)) expect(typeof v).toBe('function');
  });

  it('invoke goes to the one invoke channel; events arrive without the IPC event object', async () => {
    const api = fake.exposed.get(PRELOAD_GLOBAL) as SockscopePreloadApi;
    await api.invoke('app:info', {});
    expect(fake.invoked).toEqual([[IPC_CHANNELS.invoke, 'app:info', {}]]);
    const got: unknown[][] = [];
    const off = api.onEvents((...args) => got.push(args));
    const sender = { sender: 'ipcRenderer itself', senderFrame: {} };
    for (const l of fake.listeners.get(IPC_CHANNELS.events) ?? []) l(sender, { seq: 1, events: [] });
    expect(got).toEqual([[{ seq: 1, events: [] }]]);
    off();
    expect(fake.listeners.get(IPC_CHANNELS.events)).toEqual([]);
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
