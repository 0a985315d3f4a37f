import { describe, expect, it } from 'vitest';
import { createDispatcher, type CommandHandlers } from './dispatcher';
import { createEngineHost } from './index';

function host() {
  return createEngineHost({ mode: 'browser', version: 'test', dataDir: null });
}

describe('dispatcher: the one wrapper every command goes through', () => {
  it('answers app:info with the machine facts', async () => {
    const { dispatch } = host();
    const r = await dispatch('app:info', {});
    expect(r).toMatchObject({ ok: true, value: { name: 'Sockscope', mode: 'browser', version: 'test' } });
  });

  it('refuses unknown commands, bad payloads, extra keys and prototype keys — with no side effect', async () => {
    const { dispatch, engine } = host();
    const refusals = await Promise.all([
      dispatch('tcp:explode', {}),
      dispatch(42, {}),
      dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 70000 }),
      dispatch('tcp:listen', { bindAddress: 'x'.repeat(10_000), port: 1 }),
      dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0, extra: true }),
      dispatch('tcp:listen', JSON.parse('{"bindAddress":"127.0.0.1","port":0,"__proto__":{"polluted":true}}')),
      dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 0, behaviour: JSON.parse('{"mode":"echo","constructor":{}}') }),
      dispatch('conversation:send', { conversationId: 'c1', data: 'not base64!' }),
      dispatch('udp:repeat', { endpointId: 'u1', host: '127.0.0.1', port: 9, data: '', count: 10_000_000, intervalMs: 0 }),
    ]);
    expect(refusals.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'UNKNOWN_COMMAND',
      'UNKNOWN_COMMAND',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
      'VALIDATION',
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(engine.listEndpoints()).toHaveLength(0);
  });

  it('says which field is wrong', async () => {
    const { dispatch } = host();
    const r = await dispatch('tcp:listen', { bindAddress: '127.0.0.1', port: 70000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues?.[0]?.path).toBe('port');
  });

  it('parses every answer with its response schema in tests: an answer that drifts is INTERNAL, not sent', async () => {
    const logged: string[] = [];
    const handlers = { 'app:info': () => ({ name: 'Sockscope', version: 1 }) } as unknown as CommandHandlers;
    const dispatch = createDispatcher(handlers, (msg) => logged.push(msg));
    const r = await dispatch('app:info', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/^the answer to app:info does not match the contract \(version: /) } });
    expect(logged).toHaveLength(1);
  });

  it('turns a missing endpoint into NOT_FOUND, not a crash', async () => {
    const { dispatch } = host();
    expect(await dispatch('endpoint:close', { endpointId: 'l99' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
