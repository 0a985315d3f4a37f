/**
 * The session as the renderer holds it: saved messages (changed only through engine commands, so
 * the engine keeps them in the session file), the session's status (where it is kept, a notice to
 * show), and the UI state that is saved with it and restored on start.
 */
import type { EngineSnapshot } from '../../../shared/contract';
import type { SavedMessage } from '../../../shared/saved-messages';
import type { SessionStatus, SessionUi, SessionUiPatch } from '../../../shared/session-state';
import { SESSION_UI_LIMITS } from '../../../shared/session-state';
import { engineCall } from './engine-port';
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
}

export const createSessionSlice: Slice<SessionSlice> = (set, get) => ({
  savedMessages: [],
  sessionStatus: null,
  uiRestored: false,
  saveMessage: async (m) => {
    const { id } = await engineCall('messages:save', m);
    // Shown at once; the engine's `saved-messages:changed` brings the same list to every UI.
    const saved: SavedMessage = { ...m, id };
    set((s) => ({ savedMessages: s.savedMessages.some((x) => x.id === id) ? s.savedMessages.map((x) => (x.id === id ? saved : x)) : [...s.savedMessages, saved] }));
  },
  removeSavedMessage: async (id) => {
    await engineCall('messages:remove', { id });
    set((s) => ({ savedMessages: s.savedMessages.filter((m) => m.id !== id) }));
  },
  reorderSavedMessages: async (ids) => {
    await engineCall('messages:reorder', { ids });
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
