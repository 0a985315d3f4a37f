import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/contract';
import type { ScriptStepResult } from '../../../shared/script';
import { BridgeFailure } from '../bridge/bridge-failure';
import { reduceBatch } from './apply-batch';
import { plugEngine, type EngineCall } from './engine-port';
import { useStore } from './store';

const step = (over: Partial<ScriptStepResult>): ScriptStepResult => ({
  runId: 's1',
  path: '0',
  iteration: [],
  kind: 'send',
  ok: true,
  detail: 'sent 4 bytes: one␊',
  received: null,
  captured: {},
  startedAt: 1,
  durationMs: 0,
  ...over,
});
let seq = 0;
/** One engine batch through the store's reducer (applyBatch itself waits for an animation frame). */
const apply = (...events: EngineEvent[]) => useStore.setState(reduceBatch(useStore.getState(), { seq: ++seq, events }));

describe('script runs in the store', () => {
  beforeEach(() => useStore.setState({ scriptRuns: {}, scriptRunOf: {}, scriptDrafts: {}, selectedEndpointId: 'l1', workspaceTab: {} }));

  it('a top-bar run, once connected, belongs to its conversation and its workspace is shown on the Script tab', () => {
    useStore.setState({ scriptRuns: { s1: { runId: 's1', conversationId: '', endpointId: null, steps: [], paused: null, end: null, unreported: 0, showWhenConnected: 'the text' } } });
    apply({ type: 'script:step', result: step({ path: 'connect', kind: 'connect', detail: 'connected to 127.0.0.1:7 (tcp)', opened: { endpointId: 'c2', conversationId: 'c2.t' } }) });
    const s = useStore.getState();
    expect(s.scriptRunOf['c2.t']).toBe('s1');
    expect(s.scriptRuns.s1).toMatchObject({ conversationId: 'c2.t', endpointId: 'c2' });
    expect(s.scriptRuns.s1?.showWhenConnected).toBeUndefined();
    expect(s.selectedEndpointId).toBe('c2');
    expect(s.workspaceTab.c2).toBe('script');
    expect(s.scriptDrafts['c2.t']).toBe('the text');
  });

  it('a run over the conversation on screen does not move the selection', () => {
    apply({ type: 'script:step', result: step({ path: 'connect', kind: 'connect', opened: { endpointId: null, conversationId: 'l1.c1' } }) });
    expect(useStore.getState().selectedEndpointId).toBe('l1');
    expect(useStore.getState().scriptRunOf['l1.c1']).toBe('s1');
  });

  it('a pause is shown until the next step or the end, and the order within a batch is kept', () => {
    const pause = (path: string) => ({ type: 'script:paused' as const, pause: { runId: 's1', path, iteration: [], step: `step ${path}` } });
    apply(pause('0'));
    expect(useStore.getState().scriptRuns.s1?.paused?.path).toBe('0');
    apply({ type: 'script:step', result: step({ path: '0' }) }, pause('1'));
    expect(useStore.getState().scriptRuns.s1?.paused?.path).toBe('1');
    expect(useStore.getState().scriptRuns.s1?.steps).toHaveLength(1);
    apply({ type: 'script:step', result: step({ path: '1' }) });
    expect(useStore.getState().scriptRuns.s1?.paused).toBeNull();
    apply(pause('2'), {
      type: 'script:ended',
      end: { runId: 's1', outcome: 'stopped', detail: 'stopped', steps: 2, expectsPassed: 0, expectsFailed: 0, endpointId: null, durationMs: 5 },
      unreported: 0,
    });
    expect(useStore.getState().scriptRuns.s1?.paused).toBeNull();
  });
});

describe('script and generator actions answer the panel that asked', () => {
  /** The engine as the bridge answers: `answer` per command, or a refusal (a BridgeError) it throws. */
  function engine(answer: (command: string) => unknown) {
    const calls: string[] = [];
    plugEngine((async (command: string) => {
      calls.push(command);
      const a = answer(command);
      if (a && typeof a === 'object' && 'code' in a) throw new BridgeFailure(a as { code: 'VALIDATION'; message: string });
      return a;
    }) as unknown as EngineCall);
    return calls;
  }
  beforeEach(() => useStore.setState({ scriptRuns: {}, scriptRunOf: {}, scriptDrafts: {}, generatorOf: {}, selectedEndpointId: null, lastError: null }));

  it('an answer is kept in the store and its id answered', async () => {
    engine((command) => (command === 'script:run' ? { runId: 's7' } : command === 'generator:start' ? { generatorId: 'g3' } : { script: 'steps: []', rules: { frame: 'line', rules: [] } }));
    expect(await useStore.getState().runScript('c1.t', 'steps: []')).toEqual({ ok: true, id: 's7' });
    expect(useStore.getState().scriptRunOf['c1.t']).toBe('s7');
    expect(await useStore.getState().startGenerator('c:c1.t', { target: { conversationId: 'c1.t' }, payload: { text: 'x' }, count: 1 })).toEqual({ ok: true, id: 'g3' });
    expect(useStore.getState().generatorOf['c:c1.t']).toBe('g3');
    expect(await useStore.getState().scriptFromConversation('c1.t')).toEqual({ ok: true, id: 'c1.t' });
    expect(useStore.getState().scriptDrafts['c1.t']).toBe('steps: []');
  });

  it('a refusal is answered as its message (no code), and not shown in the status bar', async () => {
    engine(() => ({ code: 'VALIDATION', message: 'steps: expected an array' }));
    expect(await useStore.getState().runScriptOnItsOwn('x')).toEqual({ ok: false, message: 'steps: expected an array' });
    expect(await useStore.getState().advanceScript('s1', 'step')).toEqual({ ok: false, message: 'steps: expected an array' });
    expect(useStore.getState().lastError).toBeNull();
  });

  it('a mock server answers the failure of its second call (the listener) and selects nothing', async () => {
    const calls = engine((command) => (command === 'tcp:listen' ? { code: 'VALIDATION', message: 'rules: empty' } : { script: '', rules: { frame: 'line', rules: [] } }));
    expect(await useStore.getState().mockServerFromConversation('c1.t')).toEqual({ ok: false, message: 'rules: empty' });
    expect(calls).toEqual(['script:from-conversation', 'tcp:listen']);
    expect(useStore.getState().selectedEndpointId).toBeNull();
    engine((command) => (command === 'tcp:listen' ? { endpointId: 'l9' } : { script: '', rules: { frame: 'line', rules: [] } }));
    expect(await useStore.getState().mockServerFromConversation('c1.t')).toEqual({ ok: true, id: 'l9' });
    expect(useStore.getState().selectedEndpointId).toBe('l9');
  });
});
