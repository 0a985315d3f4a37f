/**
 * The session as the renderer holds it: saved messages (changed only through engine commands, so
 * the engine keeps them in the session file), the session's status (where it is kept, a notice to
 * show), and the UI state that is saved with it and restored on start.
 */
import type { EngineSnapshot } from '../../../shared/contract';
import type { SavedMessage } from '../../../shared/saved-messages';
import type { SessionStatus, SessionUi, SessionUiPatch } from '../../../shared/session-state';
import { SESSION_UI_LIMITS } from '../../../shared/session-state';
import { engineCall, failureMessage } from './engine-port';
import type { Slice } from './slice';
import type { State } from './slice';

export interface SessionSlice {
  savedMessages: SavedMessage[];
  /** Null until the first snapshot. */
  sessionStatus: SessionStatus | null;
  /** The session's UI state has been applied (from the first snapshot): from then on it is saved. */
  uiRestored: boolean;
  saveMessage(m: Omit<SavedMessage, 'id'> & { id?: string }): Promise<void>;
  removeSavedMessage(id: string): Promise<void>;
  reorderSavedMessages(ids: string[]): Promise<void>;
  dismissSessionNotice(): Promise<void>;
  setReconnectOnStart(on: boolean): Promise<void>;
  /** Shows a session's UI state (after an import: the engine's answer). */
  restoreUi(ui: SessionUi): void;
  /** Sends the UI state to keep with the session; throws when the engine did not take it. */
  saveUi(ui: SessionUiPatch): Promise<void>;
  /** The session file's text, as it would be saved now. */
  exportSession(): Promise<{ ok: true; json: string } | { ok: false; message: string }>;
  /** Replaces the session with a file's and shows its UI state; a refused file changes nothing. */
  importSession(json: string): Promise<{ ok: true; endpoints: number; savedMessages: number } | { ok: false; message: string }>;
}

export const createSessionSlice: Slice<SessionSlice> = (set, get) => ({
  savedMessages: [],
  sessionStatus: null,
  uiRestored: false,
  saveMessage: async (m) => {
    const { id } = await engineCall('saved-messages:save', m);
    // Shown at once; the engine's `saved-messages:changed` brings the same list to every UI.
    const saved: SavedMessage = { ...m, id };
    set((s) => ({ savedMessages: s.savedMessages.some((x) => x.id === id) ? s.savedMessages.map((x) => (x.id === id ? saved : x)) : [...s.savedMessages, saved] }));
  },
  removeSavedMessage: async (id) => {
    await engineCall('saved-messages:remove', { id });
    set((s) => ({ savedMessages: s.savedMessages.filter((m) => m.id !== id) }));
  },
  reorderSavedMessages: async (ids) => {
    await engineCall('saved-messages:reorder', { ids });
    const byId = new Map(get().savedMessages.map((m) => [m.id, m]));
    set({ savedMessages: ids.map((id) => byId.get(id)).filter((m): m is SavedMessage => m !== undefined) });
  },
  dismissSessionNotice: async () => {
    await engineCall('session:dismiss-notice', {});
    set((s) => ({ sessionStatus: s.sessionStatus ? { ...s.sessionStatus, notice: null } : null }));
  },
  setReconnectOnStart: async (on) => {
    await engineCall('session:configure', { reconnectOnStart: on });
    set((s) => ({ sessionStatus: s.sessionStatus ? { ...s.sessionStatus, reconnectOnStart: on } : null }));
  },
  restoreUi: (ui) => set((s) => uiFromSession(s, ui, null)),
  saveUi: async (ui) => {
    await engineCall('ui:save', ui);
  },
  exportSession: () =>
    engineCall('session:export', {}).then(
      ({ json }) => ({ ok: true, json }),
      (err: unknown) => ({ ok: false, message: failureMessage(err) }),
    ),
  importSession: async (json) => {
    try {
      const answer = await engineCall('session:import', { json });
      get().restoreUi(answer.ui);
      return { ok: true, endpoints: answer.endpoints, savedMessages: answer.savedMessages };
    } catch (err) {
      return { ok: false, message: failureMessage(err) };
    }
  },
});

/** A snapshot's session parts; its UI state only the first time (later ones would undo the person's clicks). */
export function reduceSessionSnapshot(s: State, snap: EngineSnapshot): Partial<State> {
  const out: Partial<State> = { savedMessages: snap.savedMessages, sessionStatus: snap.session };
  if (s.uiRestored) return out;
  return { ...out, ...uiFromSession({ ...s, ...out } as State, snap.ui, snap.endpoints.map((e) => e.id)), uiRestored: true };
}

/**
 * The store fields a session's UI state sets. `known`: the endpoints the selection may name (a
 * snapshot's); null after an import, whose endpoints arrive in the batches that follow its answer.
 */
function uiFromSession(s: State, ui: SessionUi, known: readonly string[] | null): Partial<State> {
  const wanted = ui.selectedEndpointId;
  const usable = wanted !== null && (known === null || known.includes(wanted));
  return {
    view: ui.view,
    selectedEndpointId: usable ? wanted : s.selectedEndpointId,
    workspaceTab: { ...ui.workspaceTab },
    theme: ui.theme,
    sysFilters: { ...ui.systemSocketsFilters },
    sidePanelOpen: ui.sidePanelOpen,
    collapsedPanels: [...ui.collapsedPanels],
    trafficView: { ...ui.trafficView },
  };
}

/** The UI state `ui:save` sends: the store's fields the session keeps, within the schema's limits. */
export function sessionUiOf(s: State): SessionUiPatch {
  return {
    view: s.view,
    selectedEndpointId: s.selectedEndpointId,
    workspaceTab: s.workspaceTab,
    theme: s.theme,
    systemSocketsFilters: { ...s.sysFilters, text: s.sysFilters.text.slice(0, SESSION_UI_LIMITS.filterText) },
    sidePanelOpen: s.sidePanelOpen,
    collapsedPanels: s.collapsedPanels,
    trafficView: s.trafficView,
  };
}
