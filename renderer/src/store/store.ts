import { create } from 'zustand';
import { createConnectionSlice, type ConnectionSlice } from './connection-slice';
import { createEndpointsSlice, type EndpointsSlice } from './endpoints-slice';
import { createRecordingSlice, type RecordingSlice } from './recording-slice';
import { createRulesSlice, type RulesSlice } from './rules-slice';
import { createScriptsSlice, type ScriptsSlice } from './scripts-slice';
import { createSessionSlice, reduceSessionSnapshot, type SessionSlice } from './session-slice';
import { createSystemSocketsSlice, type SystemSocketsSlice } from './system-sockets-slice';
import { createTlsSlice, type TlsSlice } from './tls-slice';
import { createTrafficSlice, type TrafficSlice } from './traffic-slice';
import { createUdpSlice, type UdpSlice } from './udp-slice';
import { createUiSlice, type UiSlice } from './ui-slice';
import { reduceBatch, reduceSnapshot } from './apply-batch';
import { rates } from './rates-store';
import type { EventBatch } from '../../../shared/contract';
import { FrameQueue } from './frame-queue';
import type { State } from './slice';
import { createDisplaySlice, DISPLAY_REFRESH_MS, displayUpdate, type DisplaySlice } from './display-slice';

/** Batches arrive up to ~30 times a second; React renders their sum once per frame at most. */
const frameQueue = new FrameQueue<EventBatch>();
/** Counters held back by the display refresh (display-slice.ts) are shown by this timer, in a frame. */
let displayTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * The whole store: every slice. This completes the `State` that slice.ts declares (declaration
 * merging), so a slice can type `get()` without importing this file: no import cycle.
 */
declare module './slice' {
  interface State
    extends ConnectionSlice,
      EndpointsSlice,
      UdpSlice,
      TrafficSlice,
      RecordingSlice,
      SystemSocketsSlice,
      SessionSlice,
      RulesSlice,
      ScriptsSlice,
      TlsSlice,
      DisplaySlice,
      UiSlice {}
}
export type { State };

export const useStore = create<State>()((set, get, api) => ({
  ...createConnectionSlice(set, get, api),
  ...createEndpointsSlice(set, get, api),
  ...createUdpSlice(set, get, api),
  ...createTrafficSlice(set, get, api),
  ...createRecordingSlice(set, get, api),
  ...createSystemSocketsSlice(set, get, api),
  ...createUiSlice(set, get, api),
  ...createSessionSlice(set, get, api),
  ...createRulesSlice(set, get, api),
  ...createScriptsSlice(set, get, api),
  ...createTlsSlice(set, get, api),
  ...createDisplaySlice(set, get, api),
  applyBatch: (batch) => {
    // Chart data bypasses the store (see rates-store.ts); the rest waits for the next frame.
    for (const e of batch.events) {
      if (e.type === 'rates:sampled') rates.applySample(e);
      else if (e.type === 'endpoint:removed') rates.forget(e.endpointId);
    }
    frameQueue.push(batch, (batches) => {
      let pending = false;
      set((s) => {
        let next: State = s;
        for (const b of batches) next = { ...next, ...reduceBatch(next, b) };
        const shown = displayUpdate(next, performance.now());
        pending = shown.pending;
        return shown.update ? { ...next, ...shown.update } : next;
      });
      if (pending) scheduleDisplayRefresh();
    });
  },
  applySnapshot: (info, snapshot) => {
    // Batches still waiting belong to the connection the snapshot replaces.
    frameQueue.discard();
    rates.applySnapshot(snapshot.rates);
    set((s) => {
      const next = { ...s, ...reduceSnapshot(s, snapshot) };
      const shown = { shownEndpoints: next.endpoints, shownConversations: next.conversations, shownAt: performance.now() };
      return { ...next, ...reduceSessionSnapshot(next, snapshot), ...shown, appInfo: info };
    });
    // A new session sends every conversation's traffic until it hears which logs are shown.
    useStore.getState().resendTrafficWatch();
  },
}));

function scheduleDisplayRefresh(): void {
  if (displayTimer !== null) return;
  displayTimer = setTimeout(() => {
    const refresh = () => {
      displayTimer = null;
      const { update, pending } = displayUpdate(useStore.getState(), performance.now());
      if (update) useStore.setState(update);
      if (pending) scheduleDisplayRefresh();
    };
    // In a frame, like every other store update; a hidden tab has none, so not only then.
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(refresh);
    else refresh();
  }, DISPLAY_REFRESH_MS);
}
