import { create } from 'zustand';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createEndpointsSlice, type EndpointsSlice } from './endpoints-slice';
import { createTrafficSlice, type TrafficSlice } from './traffic-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { reduceBatch, reduceSnapshot } from './apply-batch';
import type { AppInfo, EngineSnapshot, EventBatch } from '../../../shared/contract';

export type State = ConnectionSlice &
  EndpointsSlice &
  TrafficSlice &
  UiSlice & {
    /** One engine batch → exactly one store update. */
    applyBatch(batch: EventBatch): void;
    applySnapshot(info: AppInfo, snapshot: EngineSnapshot): void;
  };

export const useStore = create<State>()((set, get, api) => ({
  ...createConnectionSlice(set, get, api),
  ...createEndpointsSlice(set, get, api),
  ...createTrafficSlice(set, get, api),
  ...createUiSlice(set, get, api),
  applyBatch: (batch) => set((s) => reduceBatch(s, batch)),
  applySnapshot: (info, snapshot) => set((s) => ({ ...reduceSnapshot(s, snapshot), appInfo: info })),
}));
