/**
 * `Export session` / `Import session`: the session file (docs/sessions.md) as a download, and
 * back from a file the person picks. Both go through the browser (a Blob download, a file input),
 * in browser mode and under Electron alike: nothing is read from or written to a path on the host.
 * An import replaces everything open now, so it asks first when there is something to lose; the
 * engine validates the file and, if it refuses it, changes nothing: its error is shown here.
 */
import { useEffect, useRef, useState } from 'react';
import { SESSION_FILE_BYTES } from '../../../../shared/session-state';
import { downloadBlob } from '../../lib/download';
import { useStore } from '../../store/store';

const MIB = 1024 * 1024;

type Result = { kind: 'ok' | 'error'; text: string } | null;

interface PendingImport {
  name: string;
  json: string;
}

export function SessionControls() {
  const live = useStore((s) => s.engineStatus === 'connected');
  const reconnectOnStart = useStore((s) => s.sessionStatus?.reconnectOnStart ?? false);
  const setReconnectOnStart = useStore((s) => s.setReconnectOnStart);
  const [result, setResult] = useState<Result>(null);
  const [pending, setPending] = useState<PendingImport | null>(null);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const exportSession = async () => {
    setResult(null);
    const exported = await useStore.getState().exportSession();
    if (exported.ok) downloadBlob(exportName(), exported.json, 'application/json');
    else setResult({ kind: 'error', text: `Export failed: ${exported.message}` });
  };

  const picked = async (file: File | undefined) => {
    if (fileInput.current) fileInput.current.value = ''; // the same file can be picked again
    if (!file) return;
    setResult(null);
    if (file.size > SESSION_FILE_BYTES) {
      setResult({ kind: 'error', text: `Import failed: ${file.name} is ${(file.size / MIB).toFixed(1)} MiB; a session file is at most ${SESSION_FILE_BYTES / MIB} MiB.` });
      return;
    }
    const json = await file.text();
    const s = useStore.getState();
    const next = { name: file.name, json };
    if (s.endpointOrder.length > 0 || s.savedMessages.length > 0) setPending(next);
    else void importNow(next);
  };

  const importNow = async ({ name, json }: PendingImport) => {
    setPending(null);
    setBusy(true);
    const answer = await useStore.getState().importSession(json);
    if (answer.ok) setResult({ kind: 'ok', text: `Imported ${name}: ${plural(answer.endpoints, 'endpoint')}, ${plural(answer.savedMessages, 'saved message')}.` });
    else setResult({ kind: 'error', text: `Import failed, nothing changed: ${answer.message}` });
    setBusy(false);
  };

  return (
    <div className="session-controls" role="group" aria-label="Session">
      <button type="button" disabled={!live} onClick={() => void exportSession()} title="Download the session (endpoints, saved messages, UI state) as a JSON file">
        Export session
      </button>
      <button type="button" disabled={!live || busy} onClick={() => fileInput.current?.click()} title="Replace the session with one from a file">
        Import session
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Session file to import"
        onChange={(e) => void picked(e.target.files?.[0])}
      />
      <label className="session-option" title="Off: connections come back closed after a restart, with a Reconnect button">
        <input type="checkbox" checked={reconnectOnStart} disabled={!live} onChange={(e) => void setReconnectOnStart(e.target.checked).catch(() => {})} />
        Reconnect on start
      </label>
      {result && (
        <span role={result.kind === 'error' ? 'alert' : undefined} aria-live="polite" className={`session-result ${result.kind}`}>
          {result.text}
          <button type="button" className="link" aria-label="Dismiss" onClick={() => setResult(null)}>
            ×
          </button>
        </span>
      )}
      {pending && <ConfirmImport pending={pending} onConfirm={() => void importNow(pending)} onCancel={() => setPending(null)} />}
    </div>
  );
}

/** A modal question before an import replaces what is open now. */
function ConfirmImport({ pending, onConfirm, onCancel }: { pending: PendingImport; onConfirm(): void; onCancel(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const endpoints = useStore((s) => s.endpointOrder.length);
  const messages = useStore((s) => s.savedMessages.length);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={dialog} className="confirm-import" aria-labelledby="confirm-import-title" onCancel={onCancel}>
      <h2 id="confirm-import-title">Replace the session?</h2>
      <p>
        Importing <strong>{pending.name}</strong> {losses(endpoints, messages)}, and puts the file’s in their place. Export the session
        first to keep them.
      </p>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onConfirm} autoFocus>
          Replace session
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** What an import replaces, in words: only what there is. */
function losses(endpoints: number, messages: number): string {
  const parts: string[] = [];
  if (endpoints > 0) parts.push(`closes and removes the ${plural(endpoints, 'endpoint')} open now`);
  if (messages > 0) parts.push(`replaces the ${plural(messages, 'saved message')}`);
  return parts.join(' and ');
}

function exportName(at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `sockscope-session-${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}.json`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
