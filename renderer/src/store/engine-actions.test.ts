/**
 * Store actions are the UI's only way to the engine (components may not import the bridge:
 * eslint.config.js). What each kind of action does with the engine's answer and its refusal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeError } from '../../../shared/errors';
import { defaultSessionUi } from '../../../shared/session-state';
import { BridgeFailure } from '../bridge/bridge-failure';
import { plugEngine, type EngineCall } from './engine-port';
import { useStore } from './store';

/** The engine as the bridge answers: `answer` per command, or a refusal with the error it names. */
function engine(answer: (command: string, request: unknown) => unknown | BridgeError) {
  const calls: [string, unknown][] = [];
  plugEngine((async (command: string, request: unknown) => {
    calls.push([command, request]);
    const a = answer(command, request);
    if (a && typeof a === 'object' && 'code' in a) throw new BridgeFailure(a as BridgeError);
    return a;
  }) as unknown as EngineCall);
  return calls;
}

afterEach(() => useStore.setState({ lastError: null }));

describe('store actions that reach the engine', () => {
  it('a one-click action sends its command and shows a refusal in the status bar as CODE: message', async () => {
    const calls = engine(() => ({ code: 'NOT_FOUND', message: 'no endpoint e9' }));
    await useStore.getState().closeEndpoint('e9');
    await useStore.getState().configureUdp('u1', { ttl: 9 });
    expect(calls).toEqual([
      ['endpoint:close', { endpointId: 'e9' }],
      ['udp:configure', { endpointId: 'u1', ttl: 9 }],
    ]);
    expect(useStore.getState().lastError).toBe('NOT_FOUND: no endpoint e9');
  });

  it('answers what the form needs: removed or not, the refusal of a creation (not in the status bar)', async () => {
    engine((command) => (command === 'tcp:listen' ? { code: 'VALIDATION', message: 'port: out of range' } : { ok: true }));
    expect(await useStore.getState().removeStaleSocket('/tmp/x.sock')).toBe(true);
    expect(await useStore.getState().openListener({ bindAddress: '127.0.0.1', port: 0 })).toEqual({ ok: false, message: 'port: out of range' });
    expect(useStore.getState().lastError).toBeNull();
    engine(() => ({ endpointId: 'l4' }));
    expect(await useStore.getState().openListener({ bindAddress: '127.0.0.1', port: 0 })).toEqual({ ok: true, endpointId: 'l4' });
  });

  it('an unknown service is only one the database lacks: a failed look-up never blocks opening', async () => {
    engine(() => ({ port: null }));
    expect(await useStore.getState().isUnknownService('nosuch', 'tcp')).toBe(true);
    engine(() => ({ port: 43 }));
    expect(await useStore.getState().isUnknownService('whois', 'tcp')).toBe(false);
    engine(() => ({ code: 'DISCONNECTED', message: 'not connected to the engine' }));
    expect(await useStore.getState().isUnknownService('whois', 'tcp')).toBe(false);
  });

  it('an import shows the file’s UI state; a refused one changes nothing and says why', async () => {
    engine(() => ({ code: 'VALIDATION', message: 'version: expected 1' }));
    useStore.setState({ view: 'endpoints' });
    expect(await useStore.getState().importSession('{}')).toEqual({ ok: false, message: 'version: expected 1' });
    expect(useStore.getState().view).toBe('endpoints');
    engine(() => ({ endpoints: 2, savedMessages: 1, ui: { ...defaultSessionUi(), view: 'system-sockets', theme: 'dark' } }));
    expect(await useStore.getState().importSession('{}')).toEqual({ ok: true, endpoints: 2, savedMessages: 1 });
    expect(useStore.getState()).toMatchObject({ view: 'system-sockets', theme: 'dark' });
  });
});
