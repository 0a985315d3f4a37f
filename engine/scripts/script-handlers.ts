/**
 * `script:run` / `script:stop` / `script:advance`: runs scripts in the engine, each over its own
 * connection (or a conversation the person picked), reporting every step as a `script:step` event,
 * a pause in step mode as `script:paused` and the end as `script:ended`. A bad file is refused by
 * the command itself (VALIDATION), before anything connects.
 */
import type { EngineEvent } from '../../shared/contract';
import type { ScriptPause, ScriptRunEnd, ScriptStepResult } from '../../shared/script';
import { CommandError, invalidState, limitReached, notFound } from '../command-error';
import type { CommandHandlers } from '../dispatcher';
import type { Engine } from '../engine';
import { logInternalError } from '../fault-barrier';
import { engineScriptIo } from './engine-io';
import { conversationAsFiles } from './from-conversation';
import { parseScriptText } from './parse-script';
import { runScript } from './script-runner';
import { StepGate } from './step-gate';

/** Scripts running at once in one engine. */
export const MAX_RUNNING_SCRIPTS = 32;
/**
 * Step results sent as their own event per run and second; past it (a tight `repeat` of sends) they
 * are counted instead, and `script:ended` says how many were not reported one by one.
 */
export const STEP_EVENTS_PER_SECOND = 500;

interface Run {
  controller: AbortController;
  gate: StepGate;
  windowStart: number;
  inWindow: number;
  unreported: number;
}

export function scriptHandlers(engine: Engine, handlers: () => CommandHandlers): Pick<CommandHandlers, 'script:run' | 'script:stop' | 'script:advance' | 'script:from-conversation'> {
  const runs = new Map<string, Run>();
  const io = engineScriptIo(engine, handlers);
  let seq = 0;

  const emitStep = (run: Run, result: ScriptStepResult) => {
    const now = Date.now();
    if (now - run.windowStart >= 1000) {
      run.windowStart = now;
      run.inWindow = 0;
    }
    // Failures are always reported: they are what a person looks for.
    if (++run.inWindow > STEP_EVENTS_PER_SECOND && result.ok) {
      run.unreported++;
      return;
    }
    const event: EngineEvent = { type: 'script:step', result };
    engine.hub.changed(`script:${result.runId}:${++seq}`, () => event);
  };

  // Each its own key, so that a batch keeps steps and pauses in the order they happened.
  const emitPause = (pause: ScriptPause) => {
    const event: EngineEvent = { type: 'script:paused', pause };
    engine.hub.changed(`script:${pause.runId}:${++seq}`, () => event);
  };

  const emitEnd = (run: Run, end: ScriptRunEnd) => {
    const event: EngineEvent = { type: 'script:ended', end, unreported: run.unreported };
    engine.hub.changed(`script:${end.runId}:end`, () => event);
  };

  return {
    'script:run': ({ text, conversationId, stepping }) => {
      if (engine.isShuttingDown) throw invalidState('the engine is shutting down');
      const parsed = parseScriptText(text);
      if (!parsed.ok) throw new CommandError('VALIDATION', parsed.error, [{ path: 'text', message: parsed.error }]);
      if (conversationId !== undefined) engine.requireConversation(conversationId);
      if (runs.size >= MAX_RUNNING_SCRIPTS) throw limitReached(`at most ${MAX_RUNNING_SCRIPTS} scripts run at once: stop one first`);
      const runId = engine.nextId('s');
      const run: Run = { controller: new AbortController(), gate: new StepGate(stepping === true), windowStart: Date.now(), inWindow: 0, unreported: 0 };
      runs.set(runId, run);
      void runScript({
        runId,
        script: parsed.script,
        io,
        ...(conversationId !== undefined ? { conversationId } : {}),
        // Stop, or the engine shutting down (a paused run would otherwise wait out its hour).
        signal: AbortSignal.any([run.controller.signal, engine.stopSignal]),
        gate: run.gate,
        onPause: emitPause,
        onStep: (r) => emitStep(run, r),
        now: () => engine.clock.now(),
      })
        .then((end) => emitEnd(run, end))
        .catch((err: unknown) => logInternalError(`script ${runId}`, err))
        .finally(() => runs.delete(runId));
      return { runId };
    },

    'script:from-conversation': ({ conversationId }) => conversationAsFiles(engine, handlers, conversationId),

    'script:stop': ({ runId }) => {
      const run = runs.get(runId);
      if (!run) throw notFound('running script', runId);
      run.controller.abort();
      return { ok: true as const };
    },

    'script:advance': ({ runId, mode }) => {
      const run = runs.get(runId);
      if (!run) throw notFound('running script', runId);
      if (mode === 'step') run.gate.step();
      else run.gate.continue();
      return { ok: true as const };
    },
  };
}
