import type { EngineSnapshot, EventBatch } from '../../../shared/contract';
import type { EndpointSnapshot } from '../../../shared/endpoints';
import { appendTimeline } from '../../../shared/timeline';
import type { SavedMessage } from '../../../shared/saved-messages';
import type { RecentHostLists, SessionStatus } from '../../../shared/session-state';
import type { EndpointsSlice } from './endpoints-slice';
import { reduceScriptEvent } from './scripts-slice';
import type { State } from './slice';
import { appendChunks, keepsTraffic, type TrafficSlice } from './traffic-slice';
import type { UiSlice } from './ui-slice';

type Reduced = Partial<State>;

/**
 * `next` with every part that equals the same part of `prev` replaced by `prev`'s object (and
 * `prev` itself when nothing differs). Snapshots arrive whole, a listener's every 250 ms with its
 * 500-entry timeline and its client list, a conversation's with its addresses: keeping the
 * unchanged parts' identity lets memoized components and selectors skip them instead of
 * re-rendering a thousand rows for a counter that moved.
 */
export function keepUnchanged<T>(prev: T | undefined, next: T): T {
  if (prev === undefined || Object.is(prev, next)) return prev ?? next;
  if (typeof prev !== 'object' || typeof next !== 'object' || prev === null || next === null) return next;
  if (Array.isArray(prev)) {
    if (!Array.isArray(next)) return next;
    let same = prev.length === next.length;
    const out = next.map((v: unknown, i) => {
      const kept = keepUnchanged(prev[i] as unknown, v);
      if (kept !== prev[i]) same = false;
      return kept;
    });
    return (same ? prev : out) as T;
  }
  if (Array.isArray(next)) return next;
  const p = prev as Record<string, unknown>;
  const n = next as Record<string, unknown>;
  const keys = Object.keys(n);
  let same = keys.length === Object.keys(p).length;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const kept = keepUnchanged(p[k], n[k]);
    if (kept !== p[k] || !(k in p)) same = false;
    out[k] = kept;
  }
  return (same ? prev : out) as T;
}

/** Folds a whole batch into new slices: one `set()` per batch, whatever it holds. */
export function reduceBatch(s: State, batch: EventBatch): Reduced {
  let endpoints: EndpointsSlice['endpoints'] | null = null;
  let order: string[] | null = null;
  let conversations: EndpointsSlice['conversations'] | null = null;
  let traffic: TrafficSlice['traffic'] | null = null;
  let selected: UiSlice['selectedClient'] | null = null;
  let selectedEndpoint: string | null | undefined;
  let recentHosts: RecentHostLists | null = null;
  let savedMessages: SavedMessage[] | null = null;
  let sessionStatus: SessionStatus | null = null;
  let scripts: Partial<State> = {};

  const endpointChanged = (endpoint: EndpointSnapshot): void => {
    const prev = (endpoints ?? s.endpoints)[endpoint.id];
    const next = keepUnchanged(prev, endpoint);
    if (next !== prev) {
      endpoints ??= { ...s.endpoints };
      if (!prev) {
        order ??= [...s.endpointOrder];
        if (!order.includes(endpoint.id)) order.push(endpoint.id);
        // The first endpoint is shown at once; later ones when their creator selects them (or a click).
        if ((selectedEndpoint === undefined ? s.selectedEndpointId : selectedEndpoint) === null) selectedEndpoint = endpoint.id;
      }
      endpoints[endpoint.id] = next;
    }
    // A listener shows its first client's conversation until the person picks another.
    if (endpoint.kind === 'tcp-listener' && endpoint.clientIds.length > 0) {
      const current = (selected ?? s.selectedClient)[endpoint.id];
      if (!current) {
        selected ??= { ...s.selectedClient };
        selected[endpoint.id] = endpoint.clientIds[0] as string;
      }
    }
  };

  for (const e of batch.events) {
    switch (e.type) {
      case 'endpoint:changed':
        endpointChanged(e.endpoint);
        break;
      case 'listener:changed': {
        // The engine sends these only after an `endpoint:changed` gave this session the whole list.
        const prev = (endpoints ?? s.endpoints)[e.endpoint.id];
        if (prev?.kind !== 'tcp-listener') break;
        endpointChanged({ ...e.endpoint, timeline: appendTimeline(prev.timeline, e.timeline) });
        break;
      }
      case 'endpoint:removed': {
        endpoints ??= { ...s.endpoints };
        delete endpoints[e.endpointId];
        const before: string[] = order ?? s.endpointOrder;
        const after = before.filter((id) => id !== e.endpointId);
        order = after;
        if ((selectedEndpoint === undefined ? s.selectedEndpointId : selectedEndpoint) === e.endpointId) {
          // The neighbour takes its place, as closing a tab shows the next one.
          const at = before.indexOf(e.endpointId);
          selectedEndpoint = after[Math.min(at, after.length - 1)] ?? null;
        }
        conversations ??= { ...s.conversations };
        traffic ??= { ...s.traffic };
        for (const [cid, c] of Object.entries(conversations)) {
          if (c.endpointId === e.endpointId) {
            delete conversations[cid];
            delete traffic[cid];
          }
        }
        delete traffic[e.endpointId];
        break;
      }
      case 'conversation:changed': {
        const prev = (conversations ?? s.conversations)[e.conversation.id];
        const next = keepUnchanged(prev, e.conversation);
        if (next === prev) break;
        conversations ??= { ...s.conversations };
        conversations[e.conversation.id] = next;
        break;
      }
      case 'traffic:appended':
        // Sent before the engine heard that this log is no longer shown.
        if (!keepsTraffic(s, e.conversationId)) break;
        traffic ??= { ...s.traffic };
        traffic[e.conversationId] = appendChunks(traffic[e.conversationId], e.chunks, e.skipped);
        break;
      case 'recent-hosts:changed':
        recentHosts = e.hosts;
        break;
      case 'saved-messages:changed':
        savedMessages = e.messages;
        break;
      case 'session:changed':
        sessionStatus = e.session;
        break;
      case 'script:step':
      case 'script:ended':
      case 'script:paused':
      case 'generator:changed':
        scripts = reduceScriptEvent(s, scripts, e);
        break;
    }
  }
  const out: Reduced = { ...scripts };
  if (endpoints) out.endpoints = endpoints;
  if (order) out.endpointOrder = order;
  if (conversations) out.conversations = conversations;
  if (traffic) out.traffic = traffic;
  if (selected) out.selectedClient = selected;
  if (selectedEndpoint !== undefined) out.selectedEndpointId = selectedEndpoint;
  if (recentHosts) out.recentHosts = recentHosts;
  if (savedMessages) out.savedMessages = savedMessages;
  if (sessionStatus) out.sessionStatus = sessionStatus;
  return out;
}

export function reduceSnapshot(s: State, snap: EngineSnapshot): Reduced {
  const sorted = [...snap.endpoints].sort((a, b) => a.createdAt - b.createdAt);
  const traffic: TrafficSlice['traffic'] = {};
  for (const t of snap.traffic) if (keepsTraffic(s, t.conversationId)) traffic[t.conversationId] = appendChunks(undefined, t.chunks);
  const selectedClient = { ...s.selectedClient };
  for (const e of sorted) {
    if (e.kind === 'tcp-listener' && e.clientIds.length > 0 && !selectedClient[e.id]) {
      selectedClient[e.id] = e.clientIds[0] as string;
    }
  }
  const selectedEndpointId = sorted.some((e) => e.id === s.selectedEndpointId) ? s.selectedEndpointId : (sorted[0]?.id ?? null);
  return {
    selectedEndpointId,
    endpoints: Object.fromEntries(sorted.map((e) => [e.id, e])),
    endpointOrder: sorted.map((e) => e.id),
    conversations: Object.fromEntries(snap.conversations.map((c) => [c.id, c])),
    traffic,
    selectedClient,
    recentHosts: snap.recentHosts,
  };
}
