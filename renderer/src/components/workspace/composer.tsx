import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { composeMessage, type LineEnding } from '../../../../shared/bytes';
import { LIMITS } from '../../../../shared/primitives';
import { Checkbox, Select } from '../forms/fields';

const HISTORY = 50;

/**
 * The Message box: text with escapes (\r \n \t \0 \xHH \\) or hex, a line ending, history with
 * up/down, and a file's bytes. `onSend` gets exactly the bytes to send.
 */
export function Composer({
  onSend,
  disabled,
  children,
  sendLabel = 'Send',
}: {
  onSend(bytes: Uint8Array): Promise<void> | void;
  disabled?: boolean;
  children?: ReactNode;
  sendLabel?: string;
}) {
  const [text, setText] = useState('');
  const [hex, setHex] = useState(false);
  const [lineEnding, setLineEnding] = useState<LineEnding>('lf');
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const history = useRef<string[]>([]);
  const historyIndex = useRef(-1);
  const fileInput = useRef<HTMLInputElement>(null);

  const send = async () => {
    const result = composeMessage(text, { hex, lineEnding: hex ? 'none' : lineEnding });
    if (!result.ok) {
      setError(`${hex ? 'Bad hex' : 'Bad escape'} at position ${result.position}: ${result.error}`);
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
      void send();
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
      setError(`That file is ${file.size} bytes; one send is at most ${LIMITS.messageBytes} bytes.`);
      return;
    }
    setError(null);
    await onSend(new Uint8Array(await file.arrayBuffer()));
  };

  return (
    <div className="composer">
      {children}
      <div className="row">
        <div className="field grow">
          <input
            type="text"
            aria-label="Message"
            placeholder={hex ? '48 65 6c 6c 6f' : 'Type a message — escapes: \\r \\n \\t \\0 \\xHH \\\\'}
            value={text}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={onKeyDown}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            spellCheck={false}
            autoComplete="off"
          />
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
        <button type="button" disabled={disabled} onClick={() => fileInput.current?.click()}>
          From file…
        </button>
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
      {error && (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
