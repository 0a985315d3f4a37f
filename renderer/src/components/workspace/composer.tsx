import { useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { LineEnding } from '../../../../shared/bytes';
import { BUILTIN_MACROS, MACRO_HELP } from '../../../../shared/macros';
import { LIMITS } from '../../../../shared/primitives';
import { isMacPlatform } from '../../shortcuts/platform';
import { Checkbox, Select } from '../forms/fields';
import { library } from '../saved-messages/library';
import { shownOrder } from '../saved-messages/message-list';
import { SaveMessageForm } from '../saved-messages/save-message-form';
import { openSaveDraft, takeSaveDraft, useSaveDrafts, type ContentDraft } from '../saved-messages/save-drafts';
import { composeForSend, sendSavedMessage, useRegisterSendTarget } from '../saved-messages/send-pipeline';
import { savedMessageIndex } from '../saved-messages/shortcuts';

const HISTORY = 50;

interface ComposerError {
  text: string;
  /** 1-based character in the Message box, when the error is about one. */
  position: number | null;
}

/**
 * The Message box: text with escapes (\r \n \t \0 \xHH \u{…} \\) and macros ({{counter}} …) or
 * hex, a line ending, history with up/down, a file's bytes, and Save message. `onSend` gets
 * exactly the bytes to send, macros expanded. `conversationKey` names the conversation: its
 * `{{counter}}`, its saved-message sends (Send <name>, Alt+1…9) and its "save this chunk" drafts.
 */
export function Composer({
  onSend,
  disabled,
  children,
  sendLabel = 'Send',
  conversationKey,
}: {
  onSend(bytes: Uint8Array): Promise<void> | void;
  disabled?: boolean;
  children?: ReactNode;
  sendLabel?: string;
  conversationKey?: string;
}) {
  const ownKey = useId();
  const key = conversationKey ?? ownKey;
  const [text, setText] = useState('');
  const [hex, setHex] = useState(false);
  const [lineEnding, setLineEnding] = useState<LineEnding>('lf');
  const [error, setError] = useState<ComposerError | null>(null);
  const errorId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const errorRef = useRef<HTMLSpanElement>(null);
  const history = useRef<string[]>([]);
  const historyIndex = useRef(-1);
  const fileInput = useRef<HTMLInputElement>(null);

  useRegisterSendTarget(key, onSend, disabled ?? false);

  // What the Save message form is saving: this box's content, or a chunk of this conversation's
  // log ("Save as message" there). Kept per conversation until saved or cancelled.
  const saving = useSaveDrafts((s) => s.drafts[key]);

  // A message about what was typed is shown at the field and brought into view, wherever the
  // composer is docked; the offending character is selected.
  useEffect(() => {
    if (!error) return;
    errorRef.current?.scrollIntoView({ block: 'nearest' });
    const input = inputRef.current;
    if (input && error.position !== null) {
      input.focus();
      input.setSelectionRange(error.position - 1, Math.min(text.length, error.position));
    }
    // Only a new error moves the selection, not typing after it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [error]);

  // Alt+1…9 anywhere in this conversation's workspace sends that saved message here.
  useEffect(() => {
    const mac = isMacPlatform();
    const onKey = (e: globalThis.KeyboardEvent) => {
      const root = rootRef.current;
      if (!root || e.defaultPrevented || document.querySelector('dialog[open]')) return;
      const index = savedMessageIndex(e, mac);
      if (index === null) return;
      const scope = root.closest('[role="region"]') ?? root;
      if (!(document.activeElement instanceof Node) || !scope.contains(document.activeElement)) return;
      const message = shownOrder(library.list())[index];
      if (!message) return;
      e.preventDefault();
      void sendSavedMessage(key, message).then((problem) => setError(problem ? { text: `${message.name}: ${problem}`, position: null } : null));
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [key]);

  const content = (): ContentDraft => ({ format: hex ? 'hex' : 'text', content: text, lineEnding: hex ? 'none' : lineEnding });

  const send = async () => {
    const result = composeForSend(key, content());
    if (!result.ok) {
      setError({ text: result.error, position: result.position });
      return;
    }
    setError(null);
    history.current = [text, ...history.current.filter((h) => h !== text)].slice(0, HISTORY);
    historyIndex.current = -1;
    await onSend(result.bytes);
    setText('');
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!disabled) void send();
    } else if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const h = history.current;
      if (h.length === 0) return;
      e.preventDefault();
      const next = Math.max(-1, Math.min(h.length - 1, historyIndex.current + (e.key === 'ArrowUp' ? 1 : -1)));
      historyIndex.current = next;
      setText(next === -1 ? '' : (h[next] as string));
    }
  };

  const sendFile = async (file: File) => {
    if (file.size > LIMITS.messageBytes) {
      setError({ text: `That file is ${file.size} bytes; one send is at most ${LIMITS.messageBytes} bytes.`, position: null });
      return;
    }
    setError(null);
    await onSend(new Uint8Array(await file.arrayBuffer()));
  };

  return (
    <div className="composer" ref={rootRef} data-conversation-key={key}>
      {children}
      <div className="row composer-row">
        <div className="field grow message-field">
          <input
            ref={inputRef}
            type="text"
            aria-label="Message"
            placeholder={hex ? '48 65 6c 6c 6f' : 'Type a message — escapes \\r \\n \\xHH \\u{…}, macros {{counter}} {{time}}…'}
            value={text}
            onChange={(e) => {
              setText(e.target.value);
              setError(null);
            }}
            onKeyDown={onKeyDown}
            aria-invalid={error?.position != null ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            spellCheck={false}
            autoComplete="off"
          />
          {error && (
            <span id={errorId} ref={errorRef} className="field-error composer-error" role="alert">
              {error.text}
            </span>
          )}
        </div>
        <Select
          label="Line ending"
          value={lineEnding}
          onChange={setLineEnding}
          options={[
            { value: 'none', label: 'None' },
            { value: 'lf', label: 'LF' },
            { value: 'crlf', label: 'CRLF' },
          ]}
        />
        <Checkbox label="Hex" checked={hex} onChange={setHex} />
        <button type="button" className="primary" disabled={disabled} onClick={() => void send()}>
          {sendLabel}
        </button>
        {!saving && (
          <button type="button" disabled={text === ''} onClick={() => openSaveDraft(key, content())} title="Keep this message in Saved messages">
            Save message
          </button>
        )}
        <button type="button" disabled={disabled} onClick={() => fileInput.current?.click()}>
          From file…
        </button>
        <ComposerHelp />
        <input
          ref={fileInput}
          type="file"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void sendFile(f);
          }}
        />
      </div>
      {saving && <SaveMessageForm content={saving} onDone={() => takeSaveDraft(key)} />}
    </div>
  );
}

/** What can be typed in a message, one click away. */
function ComposerHelp() {
  return (
    <details className="composer-help">
      <summary title="Escapes and macros">?</summary>
      <div className="composer-help-body">
        <p>
          <strong>Escapes:</strong> <code>\r</code> <code>\n</code> <code>\t</code> <code>\0</code> <code>\xHH</code> (a byte) <code>\u00e9</code>{' '}
          <code>{'\\u{1F600}'}</code> (a character, as UTF-8) <code>\\</code> <code>{'\\{'}</code>
        </p>
        <p>
          <strong>Macros</strong>, expanded when sent (<code>{'\\{{'}</code> or <code>{'{{{{'}</code> for a literal <code>{'{{'}</code>):
        </p>
        <ul>
          {BUILTIN_MACROS.map((m) => (
            <li key={m}>
              <code>{`{{${m}}}`}</code> {MACRO_HELP[m]}
            </li>
          ))}
        </ul>
        <p className="muted">Alt+1…9 sends saved message 1 to 9 here.</p>
      </div>
    </details>
  );
}
