import { useState } from 'react';
import type { SavedMessage } from '../../../../shared/saved-messages';
import { EditSavedMessageDialog } from './edit-saved-message';
import { library, useSavedMessages } from './library';
import { groupMessages, messageSummary, moveWithinGroup, shownOrder } from './message-list';
import { sendSavedMessage, useSendTargets } from './send-pipeline';
import { SAVED_MESSAGE_CHORDS } from './shortcuts';

/**
 * The library of saved messages, in groups, each sendable on the conversation on screen with one
 * click (`Send <name>`) or Alt+1…9; edited, renamed, moved within its group, deleted here.
 * `conversation` is the key the conversation's composer registered (its `conversationKey`).
 */
export function SavedMessagesPanel({ conversation }: { conversation: string | null }) {
  const messages = useSavedMessages();
  const target = useSendTargets((s) => (conversation ? s.targets[conversation] : undefined));
  const [problem, setProblem] = useState<{ id: string; text: string } | null>(null);
  const [editing, setEditing] = useState<SavedMessage | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const shortcutOf = new Map(shownOrder(messages).map((m, i) => [m.id, SAVED_MESSAGE_CHORDS[i]]));
  const canSend = target !== undefined && !target.disabled && conversation !== null;

  const send = async (m: SavedMessage) => {
    if (!conversation) return;
    const error = await sendSavedMessage(conversation, m);
    setProblem(error ? { id: m.id, text: error } : null);
  };

  const move = (m: SavedMessage, delta: -1 | 1) => {
    const next = moveWithinGroup(messages, m.id, delta);
    if (next) void library.reorder(next.map((x) => x.id)).catch((err: unknown) => setProblem({ id: m.id, text: `Not moved: ${String(err)}` }));
  };

  const remove = (m: SavedMessage) => {
    setDeleting(null);
    void library.remove(m.id).catch((err: unknown) => setProblem({ id: m.id, text: `Not deleted: ${String(err)}` }));
  };

  const item = (m: SavedMessage, index: number, group: SavedMessage[]) => {
    const chord = shortcutOf.get(m.id);
    return (
      <li key={m.id} className="saved-item">
        <div className="saved-row">
          <button
            type="button"
            className="send-saved"
            aria-label={`Send ${m.name}`}
            title={canSend ? `Send: ${messageSummary(m, 200)}` : 'Open a conversation that can send to use this'}
            disabled={!canSend}
            onClick={() => void send(m)}
          >
            <span className="saved-name">{m.name}</span>
            {chord && <kbd aria-hidden="true">{chord}</kbd>}
          </button>
          <span className="saved-summary" title={m.content}>
            {messageSummary(m)}
          </span>
        </div>
        {deleting === m.id ? (
          <div className="saved-actions confirm" role="group" aria-label={`Delete ${m.name}?`}>
            <span>Delete “{m.name}”?</span>
            <button type="button" className="danger" onClick={() => remove(m)}>
              Delete
            </button>
            <button type="button" onClick={() => setDeleting(null)}>
              Keep
            </button>
          </div>
        ) : (
          <div className="saved-actions">
            <button type="button" className="link" aria-label={`Edit ${m.name}`} onClick={() => setEditing(m)}>
              Edit
            </button>
            <button type="button" className="link" aria-label={`Move ${m.name} up`} disabled={index === 0} onClick={() => move(m, -1)}>
              ↑
            </button>
            <button type="button" className="link" aria-label={`Move ${m.name} down`} disabled={index === group.length - 1} onClick={() => move(m, 1)}>
              ↓
            </button>
            <button type="button" className="link" aria-label={`Delete ${m.name}`} onClick={() => setDeleting(m.id)}>
              Delete
            </button>
          </div>
        )}
        {problem?.id === m.id && (
          <p className="field-error" role="alert">
            {problem.text}
          </p>
        )}
      </li>
    );
  };

  return (
    <div className="saved-messages">
      <h3 className="saved-title">Saved messages</h3>
      {messages.length === 0 && (
        <p className="muted saved-empty">
          None yet. Type a message below and press <strong>Save message</strong>, or save a chunk from the traffic log.
        </p>
      )}
      <ul aria-label="Saved messages" className="saved-list">
        {groupMessages(messages).map((g) =>
          g.name === '' ? (
            g.messages.map((m, i) => item(m, i, g.messages))
          ) : (
            <li key={`group:${g.name}`} className="saved-group">
              <details open>
                <summary>
                  {g.name} <span className="muted">({g.messages.length})</span>
                </summary>
                <ul aria-label={`Group ${g.name}`}>{g.messages.map((m, i) => item(m, i, g.messages))}</ul>
              </details>
            </li>
          ),
        )}
      </ul>
      {editing && <EditSavedMessageDialog message={editing} onClose={() => setEditing(null)} />}
    </div>
  );
}
