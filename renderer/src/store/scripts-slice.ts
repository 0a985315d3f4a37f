/**
 * Send/expect scripts and traffic generators, run by the engine: the runs and generators the UI has
 * heard of (their step results and counters arrive as events), the script text typed per
 * conversation, and the actions that start and stop them.
 */
import type { EngineEvent } from '../../../shared/contract';
import type { GeneratorSnapshot, GeneratorStartRequest } from '../../../shared/generator';
import type { ScriptPause, ScriptRunEnd, ScriptStepResult } from '../../../shared/script';
import { answeringCall, engineCall, type ActionResult } from './engine-port';
import type { Slice } from './slice';
import type { State } from './slice';

/** Step results kept per run on screen (the newest); the engine's end event still counts them all. */
const KEPT_STEPS = 500;
/** Runs and generators remembered (the newest); older ones leave the store. */
const KEPT_RUNS = 50;

export interface ScriptRun {
  runId: string;
  /** The conversation it runs over ('' until a run of its own has connected). */
  conversationId: string;
  /** The endpoint of the connection it opened (null over a listener's client, or until connected). */
  endpointId: string | null;
  steps: ScriptStepResult[];
  /** Step mode: the step it waits before. */
  paused: ScriptPause | null;
  end: ScriptRunEnd | null;
  unreported: number;
  /** Started from the top bar with this text: once connected, its workspace is shown with the script in its editor. */
  showWhenConnected?: string;
}

export interface ScriptsSlice {
  scriptRuns: Record<string, ScriptRun>;
  /** The newest run per conversation. */
  scriptRunOf: Record<string, string>;
  /** The script text typed per conversation (the editor's draft). */
  scriptDrafts: Record<string, string>;
  generators: Record<string, GeneratorSnapshot>;
  /** The newest generator per target key (`c:<conversationId>`, `l:<listenerId>`, `u:<endpointId>`). */
  generatorOf: Record<string, string>;
  setScriptDraft(conversationId: string, text: string): void;
  /** Over this conversation; `stepping`: paused before its first step. */
  runScript(conversationId: string, text: string, opts?: { stepping?: boolean }): Promise<ActionResult>;
  /** From the top bar, over the connection the script's own `connect` opens; its workspace is shown once connected. */
  runScriptOnItsOwn(text: string): Promise<ActionResult>;
  /** Step mode: `step` runs the next step and pauses again, `continue` runs on to the end. */
  advanceScript(runId: string, mode: 'step' | 'continue'): Promise<ActionResult>;
  stopScript(runId: string): Promise<void>;
  startGenerator(key: string, request: GeneratorStartRequest): Promise<ActionResult>;
  stopGenerator(generatorId: string): Promise<void>;
  /** "Turn this conversation into a script": the recorded sends and receives become the editor's text. */
  scriptFromConversation(conversationId: string): Promise<ActionResult>;
  /** "…into a mock server": a new loopback listener whose rules answer as the recorded server did. */
  mockServerFromConversation(conversationId: string): Promise<ActionResult>;
}

function newest<T>(record: Record<string, T>): Record<string, T> {
  const keys = Object.keys(record);
  if (keys.length <= KEPT_RUNS) return record;
  return Object.fromEntries(keys.slice(-KEPT_RUNS).map((k) => [k, record[k] as T]));
}

const blankRun = (runId: string, conversationId = ''): ScriptRun => ({ runId, conversationId, endpointId: null, steps: [], paused: null, end: null, unreported: 0 });

type ShownRun = Partial<Pick<State, 'selectedEndpointId' | 'view' | 'workspaceTab' | 'scriptDrafts'>>;

/** A top-bar run's connection, shown: its workspace selected on the Script tab, the script in its editor. */
function showRunWorkspace(s: ShownRun & Pick<State, 'workspaceTab' | 'scriptDrafts'>, run: ScriptRun, text: string): ShownRun {
  if (!run.endpointId) return {};
  return {
    selectedEndpointId: run.endpointId,
    view: 'endpoints',
    workspaceTab: { ...s.workspaceTab, [run.endpointId]: 'script' },
    scriptDrafts: { ...s.scriptDrafts, [run.conversationId]: text },
  };
}

export const createScriptsSlice: Slice<ScriptsSlice> = (set, get) => ({
  scriptRuns: {},
  scriptRunOf: {},
  scriptDrafts: {},
  generators: {},
  generatorOf: {},
  setScriptDraft: (conversationId, text) => set((s) => ({ scriptDrafts: { ...s.scriptDrafts, [conversationId]: text } })),
  runScript: (conversationId, text, opts = {}) =>
    answeringCall('script:run', { text, conversationId, ...(opts.stepping ? { stepping: true } : {}) }, ({ runId }) => {
      set((s) => {
        // Events may have arrived before this answer: keep what they brought.
        const run = s.scriptRuns[runId] ?? blankRun(runId, conversationId);
        return {
          scriptRuns: newest({ ...s.scriptRuns, [runId]: { ...run, conversationId } }),
          scriptRunOf: { ...s.scriptRunOf, [conversationId]: runId },
        };
      });
      return runId;
    }),
  runScriptOnItsOwn: (text) =>
    answeringCall('script:run', { text }, ({ runId }) => {
      set((s) => {
        const run = s.scriptRuns[runId] ?? blankRun(runId);
        // Connected before this answer came: show it now; otherwise when the connect step arrives.
        if (run.endpointId) return showRunWorkspace(s, run, text);
        return { scriptRuns: newest({ ...s.scriptRuns, [runId]: { ...run, showWhenConnected: text } }) };
      });
      return runId;
    }),
  advanceScript: (runId, mode) => {
    // Shown as running at once; the next pause (which may arrive before this answer) says where it waits again.
    set((s) => {
      const run = s.scriptRuns[runId];
      return run ? { scriptRuns: { ...s.scriptRuns, [runId]: { ...run, paused: null } } } : {};
    });
    return answeringCall('script:advance', { runId, mode }, () => runId);
  },
  stopScript: async (runId) => {
    await engineCall('script:stop', { runId }).catch(() => undefined);
  },
  startGenerator: (key, request) =>
    answeringCall('generator:start', request, ({ generatorId }) => {
      set((s) => ({ generatorOf: { ...s.generatorOf, [key]: generatorId } }));
      return generatorId;
    }),
  scriptFromConversation: (conversationId) =>
    answeringCall('script:from-conversation', { conversationId }, ({ script }) => {
      set((s) => ({ scriptDrafts: { ...s.scriptDrafts, [conversationId]: script } }));
      return conversationId;
    }),
  mockServerFromConversation: (conversationId) =>
    answeringCall('script:from-conversation', { conversationId }, async ({ rules }) => {
      const { endpointId } = await engineCall('tcp:listen', { bindAddress: '127.0.0.1', port: 0, rules });
      get().selectEndpoint(endpointId);
      return endpointId;
    }),
  stopGenerator: async (generatorId) => {
    const last = await engineCall('generator:stop', { generatorId }).catch(() => null);
    if (last) set((s) => ({ generators: { ...s.generators, [generatorId]: last } }));
  },
});

type ScriptEvent = Extract<EngineEvent, { type: 'script:step' | 'script:ended' | 'script:paused' | 'generator:changed' }>;
type Reduced = Partial<Pick<State, 'scriptRuns' | 'generators' | 'scriptRunOf'>> & ShownRun;

/** Folds one script or generator event into `acc` (a batch's changes so far, copied on first write). */
export function reduceScriptEvent(s: State, acc: Reduced, e: ScriptEvent): Reduced {
  if (e.type === 'generator:changed') {
    return { ...acc, generators: newest({ ...(acc.generators ?? s.generators), [e.generator.id]: e.generator }) };
  }
  const runs = { ...(acc.scriptRuns ?? s.scriptRuns) };
  const runId = e.type === 'script:step' ? e.result.runId : e.type === 'script:paused' ? e.pause.runId : e.end.runId;
  const run = runs[runId] ?? blankRun(runId);
  if (e.type === 'script:paused') {
    runs[runId] = { ...run, paused: e.pause };
    return { ...acc, scriptRuns: newest(runs) };
  }
  if (e.type === 'script:ended') {
    runs[runId] = { ...run, paused: null, end: e.end, unreported: e.unreported };
    return { ...acc, scriptRuns: newest(runs) };
  }
  const steps = run.steps.length >= KEPT_STEPS ? [...run.steps.slice(1 - KEPT_STEPS), e.result] : [...run.steps, e.result];
  const opened = e.result.opened;
  if (!opened) {
    runs[runId] = { ...run, paused: null, steps };
    return { ...acc, scriptRuns: newest(runs) };
  }
  // Connected: the run belongs to that conversation's panel from now on.
  const { showWhenConnected, ...rest } = run;
  const connected: ScriptRun = { ...rest, paused: null, steps, conversationId: opened.conversationId, endpointId: opened.endpointId };
  runs[runId] = connected;
  const out: Reduced = { ...acc, scriptRuns: newest(runs), scriptRunOf: { ...(acc.scriptRunOf ?? s.scriptRunOf), [opened.conversationId]: runId } };
  if (showWhenConnected === undefined) return out;
  return { ...out, ...showRunWorkspace({ workspaceTab: acc.workspaceTab ?? s.workspaceTab, scriptDrafts: acc.scriptDrafts ?? s.scriptDrafts }, connected, showWhenConnected) };
}
