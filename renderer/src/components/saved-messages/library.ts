/**
 * The saved messages themselves live in the session slice (renderer/src/store/session-slice.ts),
 * which changes them only through engine commands, so the engine keeps them in the session file.
 * This is the list's one door to them.
 */
import type { SavedMessage } from '../../../../shared/saved-messages';
import { useStore } from '../../store/store';
import type { MessageDraft } from './message-list';

export function useSavedMessages(): SavedMessage[] {
  return useStore((s) => s.savedMessages);
}

export const library = {
  list: (): SavedMessage[] => useStore.getState().savedMessages,
  /** Saves, then shows the list beside the conversation on screen, so `Send <name>` is at hand at once. */
  save: async (m: MessageDraft & { id?: string }) => {
    await useStore.getState().saveMessage(m);
    const s = useStore.getState();
    if (s.selectedEndpointId) s.setWorkspaceTab(s.selectedEndpointId, 'saved');
    if (!s.sidePanelOpen) s.setSidePanelOpen(true);
  },
  remove: (id: string) => useStore.getState().removeSavedMessage(id),
  /** The whole list in its new order. */
  reorder: (ids: string[]) => useStore.getState().reorderSavedMessages(ids),
};
