import { useState } from 'react';
import type { ScriptPause, ScriptStepResult } from '../../../../shared/script';
import { useStore } from '../../store/store';

const EXAMPLE = `# Runs over this conversation (docs/scripts.md)
steps:
  - send: 'hello\\n'
  - expect: { contains: 'hello', timeoutMs: 2000 }
`;

const OUTCOME_WORDS = { passed: 'Passed', failed: 'Failed', stopped: 'Stopped', error: 'Stopped by a limit' } as const;

/**
 * A send/expect script over the conversation on screen: edit, run, step, stop; each step's result
 * inline as the engine reports it (a failed expect with what arrived, as text and hex), and in the
 * Socket calls timeline. `Step` runs one step and pauses before the next (starting a run paused when
 * none is running); `Run script` then goes on to the end. The script's sends and what it received
 * are in the Traffic log like typed ones.
 */
export function ScriptPanel({ conversationId, canRun }: { conversationId: string; canRun: boolean }) {
  const text = useStore((s) => s.scriptDrafts[conversationId] ?? EXAMPLE);
  const setDraft = useStore((s) => s.setScriptDraft);
  const run = useStore((s) => {
    const id = s.scriptRunOf[conversationId];
    return id ? s.scriptRuns[id] : undefined;
  });
  const runScript = useStore((s) => s.runScript);
  const advanceScript = useStore((s) => s.advanceScript);
  const stopScript = useStore((s) => s.stopScript);
  const scriptFromConversation = useStore((s) => s.scriptFromConversation);
  const mockServerFromConversation = useStore((s) => s.mockServerFromConversation);
  const [error, setError] = useState<string | null>(null);
  const running = run !== undefined && run.end === null;
  const paused = running ? run.paused : null;

  /** `Run script` starts a run, or lets a paused one go on; `Step` starts one paused, or runs its next step. */
  const go = async (how: 'run' | 'step') => {
    setError(null);
    const r = running ? await advanceScript(run.runId, how === 'step' ? 'step' : 'continue') : await runScript(conversationId, text, { stepping: how === 'step' });
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
        <button type="button" className="primary" onClick={() => void go('run')} disabled={running ? !paused : !canRun}>
          Run script
        </button>
        <button type="button" aria-label="Step script" title="Run the next step, then pause" onClick={() => void go('step')} disabled={!running && !canRun}>
          Step
        </button>
        <button type="button" onClick={() => run && void stopScript(run.runId)} disabled={!running}>
          Stop script
        </button>
        {run?.end && (
          <span role="status" className={run.end.outcome === 'passed' ? 'script-ok' : 'script-bad'}>
            {OUTCOME_WORDS[run.end.outcome]}: {run.end.expectsPassed} expects passed, {run.end.expectsFailed} failed, {run.end.durationMs} ms
          </span>
        )}
        {running && <span role="status">{paused ? <PausedAt pause={paused} /> : 'Running…'}</span>}
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

function PausedAt({ pause }: { pause: ScriptPause }) {
  const pass = pause.iteration.length ? ` (pass ${pause.iteration.join('.')})` : '';
  return (
    <>
      Paused before step {pause.path}
      {pass}: <code className="script-next">{pause.step}</code>
    </>
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
