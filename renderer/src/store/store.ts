import { create } from 'zustand';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createEndpointsSlice, type EndpointsSlice } from './endpoints-slice';
import { createSystemSocketsSlice, type SystemSocketsSlice } from './system-sockets-slice';
import { createTrafficSlice, type TrafficSlice } from './traffic-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { reduceBatch, reduceSnapshot } from './apply-batch';
import { rates } from './rates-store';
import type { AppInfo, EngineSnapshot, EventBatch } from '../../../shared/contract';

export type State = ConnectionSlice &
  EndpointsSlice &
  TrafficSlice &
  SystemSocketsSlice &
  UiSlice & {
    /** One engine batch → exactly one store update. */
    applyBatch(batch: EventBatch): void;
    applySnapshot(info: AppInfo, snapshot: EngineSnapshot): void;
  };

export const useStore = create<State>()((set, get, api) => ({
  ...createConnectionSlice(set, get, api),
  ...createEndpointsSlice(set, get, api),
  ...createTrafficSlice(set, get, api),
  ...createSystemSocketsSlice(set, get, api),
  ...createUiSlice(set, get, api),
  applyBatch: (batch) => {
    // Chart data bypasses the store (see rates-store.ts); the rest is one set() per batch.
    for (const e of batch.events) {
      if (e.type === 'rates:sampled') rates.applySample(e);
      else if (e.type === 'endpoint:removed') rates.forget(e.endpointId);
    }
    set((s) => reduceBatch(s, batch));
  },
  applySnapshot: (info, snapshot) => {
    rates.applySnapshot(snapshot.rates);
    set((s) => ({ ...reduceSnapshot(s, snapshot), appInfo: info }));
  },
}));
