import { describe, expect, it } from 'vitest';
import type { EngineSnapshot } from '../../../shared/contract';
import { SESSION_UI_LIMITS, SessionUi, defaultSessionUi } from '../../../shared/session-state';
import { plugEngine, type EngineCall } from './engine-port';
import { reduceSessionSnapshot, sessionUiOf } from './session-slice';
import { useStore, type State } from './store';

const snapshot = (over: Partial<EngineSnapshot>): EngineSnapshot =>
  ({
    endpoints: [],
    conversations: [],
    traffic: [],
    recentHosts: { tcp: [], udp: [], unix: [] },
    savedMessages: [],
    ui: defaultSessionUi(),
    session: { file: null, notice: null, reconnectOnStart: false },
    ...over,
  }) as unknown as EngineSnapshot;

const listener = (id: string) => ({ id, kind: 'tcp-listener' }) as unknown as EngineSnapshot['endpoints'][number];

describe('the session slice', () => {
  it('puts the saved UI state back from the first snapshot only (later ones would undo clicks)', () => {
    const ui = { ...defaultSessionUi(), view: 'system-sockets' as const, selectedEndpointId: 'l2', theme: 'dark' as const, sidePanelOpen: false };
    const base = { ...useStore.getState(), selectedEndpointId: 'l1' } as State;
    const first = reduceSessionSnapshot(base, snapshot({ ui, endpoints: [listener('l1'), listener('l2')] }));
    expect(first).toMatchObject({ uiRestored: true, view: 'system-sockets', selectedEndpointId: 'l2', theme: 'dark', sidePanelOpen: false });

    const later = reduceSessionSnapshot({ ...base, ...first } as State, snapshot({ ui: defaultSessionUi(), savedMessages: [] }));
    expect(later).toEqual({ savedMessages: [], sessionStatus: { file: null, notice: null, reconnectOnStart: false } });
  });

  it('a saved selection of an endpoint that did not come back keeps the one chosen for the snapshot', () => {
    const base = { ...useStore.getState(), selectedEndpointId: 'l1' } as State;
    const r = reduceSessionSnapshot(base, snapshot({ ui: { ...defaultSessionUi(), selectedEndpointId: 'l9' }, endpoints: [listener('l1')] }));
    expect(r.selectedEndpointId).toBe('l1');
  });

  it('ui:save carries the fields the session keeps, within its limits', () => {
    const s = { ...useStore.getState(), sysFilters: { ...useStore.getState().sysFilters, text: 'x'.repeat(1000) } } as State;
    const ui = sessionUiOf(s);
    expect(Object.keys(ui).sort()).toEqual(['collapsedPanels', 'selectedEndpointId', 'sidePanelOpen', 'systemSocketsFilters', 'theme', 'trafficView', 'view', 'workspaceTab']);
    expect(ui.systemSocketsFilters?.text).toHaveLength(256);
  });

  it('collapsed panels are kept with the session, at most as many as it holds, newest kept', () => {
    useStore.setState({ collapsedPanels: [] });
    const { setPanelCollapsed } = useStore.getState();
    for (let i = 0; i < SESSION_UI_LIMITS.collapsedPanels + 5; i++) setPanelCollapsed(`clients:l${i}`, true);
    setPanelCollapsed('clients:l7', false);
    const ui = sessionUiOf(useStore.getState());
    expect(ui.collapsedPanels).toHaveLength(SESSION_UI_LIMITS.collapsedPanels - 1);
    expect(ui.collapsedPanels).not.toContain('clients:l0');
    expect(ui.collapsedPanels).not.toContain('clients:l7');
    expect(ui.collapsedPanels?.at(-1)).toBe(`clients:l${SESSION_UI_LIMITS.collapsedPanels + 4}`);
    expect(SessionUi.parse({ ...defaultSessionUi(), ...ui })).toMatchObject({ collapsedPanels: ui.collapsedPanels });

    const restored = reduceSessionSnapshot({ ...useStore.getState(), uiRestored: false } as State, snapshot({ ui: { ...defaultSessionUi(), collapsedPanels: ['clients:l1'] } }));
    expect(restored.collapsedPanels).toEqual(['clients:l1']);
  });

  it('saveMessage goes through the engine and shows the message with the id it was given', async () => {
    const calls: unknown[] = [];
    const fake = (async (command: string, request: unknown) => {
      calls.push([command, request]);
      return { id: 'mABC' };
    }) as unknown as EngineCall;
    plugEngine(fake);
    useStore.setState({ savedMessages: [] });
    await useStore.getState().saveMessage({ name: 'Ping', group: '', format: 'text', content: 'PING', lineEnding: 'crlf' });
    expect(calls).toEqual([['saved-messages:save', { name: 'Ping', group: '', format: 'text', content: 'PING', lineEnding: 'crlf' }]]);
    expect(useStore.getState().savedMessages).toEqual([{ id: 'mABC', name: 'Ping', group: '', format: 'text', content: 'PING', lineEnding: 'crlf' }]);
  });
});
