/**
 * What a conversation's Save message form is saving: its composer's content (Save message), or a
 * traffic chunk's bytes ("Save as message" in the log). The composer shows the form, the one
 * place that asks for a Name, while a draft is here.
 */
import { create } from 'zustand';
import { base64ToBytes } from '../../../../shared/bytes';
import type { TrafficChunk } from '../../../../shared/endpoints';
import { useStore } from '../../store/store';
import { draftFromBytes, type MessageDraft } from './message-list';

export type ContentDraft = Pick<MessageDraft, 'format' | 'content' | 'lineEnding'>;

/** Per conversation key: what its composer's Save message form is saving, while it is open. */
export const useSaveDrafts = create<{ drafts: Readonly<Record<string, ContentDraft>> }>()(() => ({ drafts: {} }));

export function openSaveDraft(conversationKey: string, draft: ContentDraft): void {
  useSaveDrafts.setState((s) => ({ drafts: { ...s.drafts, [conversationKey]: draft } }));
}

/** The form closed (saved or cancelled). */
export function takeSaveDraft(conversationKey: string): void {
  useSaveDrafts.setState((s) => {
    const { [conversationKey]: _taken, ...rest } = s.drafts;
    return { drafts: rest };
  });
}

/**
 * Opens the Save message form of `conversationId`'s composer with this chunk's bytes — all of
 * them: a preview cut short in the log is fetched whole from the engine first.
 */
export async function saveChunkAsMessage(conversationId: string, chunk: TrafficChunk): Promise<void> {
  let data = chunk.data;
  if (chunk.truncated) {
    try {
      const full = await useStore.getState().fetchWholeChunk(conversationId, chunk.seq);
      if (!full || full.truncated) {
        useStore.getState().reportError('That chunk is no longer in the engine\'s history: only its preview could be saved.');
      }
      data = full?.data ?? data;
    } catch (err) {
      useStore.getState().reportError(`Could not read the whole chunk: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const draft = draftFromBytes(base64ToBytes(data));
  if (!draft) {
    useStore.getState().reportError('That chunk is too long to save as a message (at most 64 KiB of text).');
    return;
  }
  openSaveDraft(conversationId, draft);
}
