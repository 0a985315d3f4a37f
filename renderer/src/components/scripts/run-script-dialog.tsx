import { useEffect, useId, useState, type ChangeEvent, type FormEvent } from 'react';
import { SCRIPT_LIMITS } from '../../../../shared/script';
import { useStore } from '../../store/store';
import { DialogShell } from '../forms/dialog-shell';

const PLACEHOLDER = `connect: { host: 127.0.0.1, port: 6379 }
steps:
  - send: 'PING\\r\\n'
  - expect: '+PONG'`;

/**
 * `Run a script…` in the top bar: a script pasted or loaded from a file, run over the connection its
 * own `connect` opens. Once connected, that connection's workspace is shown on its Script tab with
 * the run's progress (and the dialog closes); a script the engine refuses, or a connect that fails,
 * is said here.
 */
export function RunScriptDialog({ onClose }: { onClose(): void }) {
  const textId = useId();
  const fileId = useId();
  const runScriptOnItsOwn = useStore((s) => s.runScriptOnItsOwn);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const run = useStore((s) => (runId ? s.scriptRuns[runId] : undefined));
  const connecting = run !== undefined && run.endpointId === null && run.end === null;
  const connected = run?.endpointId != null;

  // Its workspace now shows the run: nothing more to do here.
  useEffect(() => {
    if (connected) onClose();
  }, [connected, onClose]);

  const failure = error ?? (run?.end && run.endpointId === null ? run.end.detail : null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setRunId(null);
    const r = await runScriptOnItsOwn(text);
    if (r.ok) setRunId(r.id);
    else setError(r.message);
  };

  const load = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > SCRIPT_LIMITS.textBytes) {
      setError(`${file.name}: a script is at most ${SCRIPT_LIMITS.textBytes / 1024} KiB`);
      return;
    }
    try {
      setText(await file.text());
      setError(null);
    } catch (err) {
      setError(`${file.name}: not read (${err instanceof Error ? err.message : String(err)})`);
    }
  };

  return (
    <DialogShell title="Run a script" className="run-script-dialog" onClose={onClose} onSubmit={submit}>
      <div className="field">
        <label htmlFor={textId}>Script to run</label>
        <textarea
          id={textId}
          className="script-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={10}
          spellCheck={false}
          placeholder={PLACEHOLDER}
          aria-describedby={`${textId}-help`}
        />
        <span id={`${textId}-help`} className="muted">
          YAML or JSON; its <code>connect</code> says where (docs/scripts.md). The connection it opens is shown with the run.
        </span>
      </div>
      <div className="script-bar">
        <label htmlFor={fileId} className="muted">
          Load script file
        </label>
        <input id={fileId} type="file" accept=".yaml,.yml,.json,.txt,application/json,text/yaml,text/plain" onChange={(e) => void load(e)} />
      </div>
      {failure && (
        <p className="form-error" role="alert">
          {failure}
        </p>
      )}
      {connecting && <p role="status">Connecting…</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={text.trim() === '' || connecting}>
          Run
        </button>
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </DialogShell>
  );
}
