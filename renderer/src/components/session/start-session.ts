/**
 * Saves the UI state with the session: a change to any of its fields is sent with `ui:save` once
 * things settle (debounced), from the moment the first snapshot's saved UI state was put back
 * (before that, saving would overwrite it).
 */
import { sessionUiOf } from '../../store/session-slice';
import { useStore, type State } from '../../store/store';

export const UI_SAVE_DEBOUNCE_MS = 300;

/** The store fields the session keeps (see sessionUiOf). */
const PERSISTED = ['view', 'selectedEndpointId', 'workspaceTab', 'theme', 'sysFilters', 'sidePanelOpen', 'collapsedPanels', 'trafficView'] as const satisfies readonly (keyof State)[];

export function startSession(): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastSent: string | null = null;
  const save = () => {
    timer = null;
    const ui = sessionUiOf(useStore.getState());
    const text = JSON.stringify(ui);
    if (text === lastSent) return;
    lastSent = text;
    // Not reported: the next change tries again, and the engine's own notice says when saving fails.
    useStore.getState().saveUi(ui).catch(() => {
      lastSent = null;
    });
  };
  useStore.subscribe((s, prev) => {
    if (!s.uiRestored) return;
    if (!prev.uiRestored) {
      // Just put back from the engine: that is what it holds already.
      lastSent = JSON.stringify(sessionUiOf(s));
      return;
    }
    if (PERSISTED.every((k) => s[k] === prev[k])) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, UI_SAVE_DEBOUNCE_MS);
  });
}
