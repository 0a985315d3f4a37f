import type { StateCreator } from 'zustand';
import type { AppInfo, EngineSnapshot, EventBatch } from '../../../shared/contract';

/**
 * The store's state. Declared here with the store's own actions, and completed with every slice by
 * store.ts (`declare module './slice'`): slices and reducers import it from here, never from
 * store.ts, which imports them, so the store has no import cycle.
 */
export interface State {
  /** One engine batch → exactly one store update. */
  applyBatch(batch: EventBatch): void;
  applySnapshot(info: AppInfo, snapshot: EngineSnapshot): void;
}

export type Slice<T> = StateCreator<State, [], [], T>;
