/** The engine's public face for hosts (Electron main, browser-mode server, tests). */
import { createDispatcher, type Dispatch } from './dispatcher';
import { Engine, type EngineOptions } from './engine';
import { createHandlers } from './handlers';
import { restorePlan } from './session/restore';
import { sessionDispatch } from './session/session-dispatch';

export { Engine } from './engine';
export type { BatchSink } from './batcher';

export interface EngineHost {
  engine: Engine;
  dispatch: Dispatch;
}

export interface StartedEngineHost extends EngineHost {
  /** Settles once the saved session's endpoints are open again (at once when there is none). */
  restored: Promise<void>;
}

/** Commands wait at most this long for the restore (a bind address that takes long to resolve). */
const RESTORE_WAIT_MS = 5_000;

/** The engine, its dispatcher, and the session from the data folder being opened again. */
export function createEngineHost(options: EngineOptions): StartedEngineHost {
  const engine = new Engine(options);
  const handlers = createHandlers(engine);
  engine.session.load();
  const plan = engine.session.takeRestorePlan();
  const restored = plan
    ? restorePlan(engine, handlers, plan).then(
        () => undefined,
        (err: unknown) => console.error('sockscope: restoring the session failed:', err),
      )
    : Promise.resolve();
  const ready = plan ? Promise.race([restored, new Promise<void>((resolve) => setTimeout(resolve, RESTORE_WAIT_MS).unref())]) : restored;
  return { engine, dispatch: sessionDispatch(createDispatcher(handlers), engine.session, ready), restored };
}
