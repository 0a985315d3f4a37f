import { useState } from 'react';
import type { ScriptStepResult } from '../../../../shared/script';
import { useStore } from '../../store/store';

const EXAMPLE = `# Runs over this conversation (docs/scripts.md)
steps:
  - send: 'hello\\n'
  - expect: { contains: 'hello', timeoutMs: 2000 }
`;

const OUTCOME_WORDS = { passed: 'Passed', failed: 'Failed', stopped: 'Stopped', error: 'Stopped by a limit' } as const;

/**
 * A send/expect script over the conversation on screen: edit, run, stop; each step's result inline
 * as the engine reports it (a failed expect with what arrived, as text and hex). The script's sends
 * and what it received are in the Traffic log like typed ones.
 */
export function ScriptPanel({ conversationId, canRun }: { conversationId: string; canRun: boolean }) {
  const text = useStore((s) => s.scriptDrafts[conversationId] ?? EXAMPLE);
  const setDraft = useStore((s) => s.setScriptDraft);
  const run = useStore((s) => {
    const id = s.scriptRunOf[conversationId];
    return id ? s.scriptRuns[id] : undefined;
  });
  const runScript = useStore((s) => s.runScript);
  const stopScript = useStore((s) => s.stopScript);
  const scriptFromConversation = useStore((s) => s.scriptFromConversation);
  const mockServerFromConversation = useStore((s) => s.mockServerFromConversation);
  const [error, setError] = useState<string | null>(null);
  const running = run !== undefined && run.end === null;

  const start = async () => {
    setError(null);
    const r = await runScript(conversationId, text);
    if (!r.ok) setError(r.message);
  };

  const turnInto = async (what: 'script' | 'mock') => {
    setError(null);
    const r = what === 'script' ? await scriptFromConversation(conversationId) : await mockServerFromConversation(conversationId);
    if (!r.ok) setError(r.message);
  };

  return (
    <section className="script-panel" role="group" aria-label="Script">
      <div className="script-bar">
        <span className="muted">Turn this conversation into</span>
        <button type="button" aria-label="Turn into a script" onClick={() => void turnInto('script')}>
          a script
        </button>
        <button type="button" aria-label="Turn into a mock server" onClick={() => void turnInto('mock')}>
          a mock server
        </button>
      </div>
      <textarea
        className="script-text"
        aria-label="Script text"
        spellCheck={false}
        value={text}
        onChange={(e) => setDraft(conversationId, e.target.value)}
        rows={8}
      />
      <div className="script-bar">
        <button type="button" className="primary" onClick={() => void start()} disabled={!canRun || running}>
          Run script
        </button>
        <button type="button" onClick={() => run && void stopScript(run.runId)} disabled={!running}>
          Stop script
        </button>
        {run?.end && (
          <span role="status" className={run.end.outcome === 'passed' ? 'script-ok' : 'script-bad'}>
            {OUTCOME_WORDS[run.end.outcome]}: {run.end.expectsPassed} expects passed, {run.end.expectsFailed} failed, {run.end.durationMs} ms
          </span>
        )}
        {running && <span role="status">Running…</span>}
      </div>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {run && run.steps.length > 0 && (
        <ol className="script-results" aria-label="Script results">
          {run.steps.map((s, i) => (
            <StepLine key={i} step={s} />
          ))}
          {run.unreported > 0 && <li className="muted">{run.unreported} fast steps not listed one by one</li>}
        </ol>
      )}
    </section>
  );
}

function StepLine({ step }: { step: ScriptStepResult }) {
  // The connect step's path is its kind: said once.
  const where = step.path === step.kind ? '' : `${step.path}${step.iteration.length ? ` #${step.iteration.join('.')}` : ''} `;
  return (
    <li className={step.ok ? 'script-ok' : 'script-bad'}>
      <span aria-label={step.ok ? 'passed' : 'failed'}>{step.ok ? '✓' : '✗'}</span> <span className="muted">{where}</span>
      {step.kind}: {step.detail}
    </li>
  );
}
