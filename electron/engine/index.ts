/** The engine's public face for hosts (Electron main, browser-mode server, tests). */
import { createDispatcher, type Dispatch } from './dispatcher';
import { Engine, type EngineOptions } from './engine';
import { createHandlers } from './handlers';

export { Engine } from './engine';
export type { BatchSink } from './batcher';

export interface EngineHost {
  engine: Engine;
  dispatch: Dispatch;
}

export function createEngineHost(options: EngineOptions): EngineHost {
  const engine = new Engine(options);
  return { engine, dispatch: createDispatcher(createHandlers(engine)) };
}
