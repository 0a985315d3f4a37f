import { beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../shared/contract';
import type { ScriptStepResult } from '../../../shared/script';
import { reduceBatch } from './apply-batch';
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
