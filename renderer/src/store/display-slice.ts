/**
 * What the workspace, the sidebar tree and the Clients table show: the endpoints and
 * conversations as of the last display refresh. Counters and rates move many times a second for
 * every busy conversation; redrawing a thousand numbers 30 times a second is work no one can read
 * (TCPView refreshes once a second), and it relaid the whole page every frame. So a change that is
 * only counters (or a listener's client list and socket calls) reaches the display at most every
 * DISPLAY_REFRESH_MS; anything else — a state, an error, an address, an endpoint or conversation
 * that came or went — is shown in the next frame, and traffic itself is never held (the Traffic
 * log reads its own slice).
 */
import type { ConversationSnapshot, EndpointSnapshot } from '../../../shared/endpoints';
import type { RecordingInfo } from '../../../shared/recording';
import type { Slice } from './slice';

export const DISPLAY_REFRESH_MS = 1000;

export interface DisplaySlice {
  shownEndpoints: Record<string, EndpointSnapshot>;
  shownConversations: Record<string, ConversationSnapshot>;
  /** When the display last took the counters (ms, performance clock). */
  shownAt: number;
}

export const createDisplaySlice: Slice<DisplaySlice> = () => ({ shownEndpoints: {}, shownConversations: {}, shownAt: 0 });

/**
 * Fields held back between refreshes: counters that change with every byte, and the lists a
 * listener accepting a storm of clients changes several times a second (its clients, its socket
 * calls) — new rows within a second are soon enough, and arrive together.
 */
const COUNTER_KEYS = new Set(['stats', 'notKept', 'acceptedTotal', 'refused', 'recording', 'clientIds', 'timeline']);

function sameRecording(a: RecordingInfo | null | undefined, b: RecordingInfo | null | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return a.state === b.state && a.path === b.path && a.exportedPath === b.exportedPath && a.error === b.error;
}

/** `a` and `b` differ in counters at most (parts compared by identity: the reducer keeps unchanged parts). */
export function onlyCountersDiffer(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) {
    if (k === 'recording' && !sameRecording(x[k] as RecordingInfo | null, y[k] as RecordingInfo | null)) return false;
    if (!COUNTER_KEYS.has(k) && x[k] !== y[k]) return false;
  }
  for (const k in y) if (!(k in x) && !COUNTER_KEYS.has(k)) return false;
  return true;
}

/**
 * Per shown map, the entries already found to differ from it by counters only, by the object
 * checked. Between two refreshes every busy conversation differs from what is shown, and each
 * frame would compare all of them again (a thousand clients: most of the store's time under
 * load); an entry is compared again only when it changed since.
 */
const countersOnly = new WeakMap<object, Map<string, object>>();

/**
 * True when the shown map must take `next` now: an entry came or went, or changed beyond its
 * counters. `quietArrival` entries may come and go at the refresh's pace (a listener's clients:
 * an accept storm adds some in every batch, and each was a full redraw).
 */
export function needsImmediate<T extends object>(shown: Record<string, T>, next: Record<string, T>, quietArrival: (entry: T) => boolean = () => false): boolean {
  if (shown === next) return false;
  let checked = countersOnly.get(shown);
  if (!checked) countersOnly.set(shown, (checked = new Map()));
  for (const k of Object.keys(next)) {
    const a = shown[k];
    const b = next[k] as T;
    if (a === b || checked.get(k) === b) continue;
    if (a === undefined ? !quietArrival(b) : !onlyCountersDiffer(a, b)) return true;
    checked.set(k, b);
  }
  for (const k of Object.keys(shown)) {
    if (!(k in next) && !quietArrival(shown[k] as T)) return true;
  }
  return false;
}

/**
 * The display part of a new state: both maps taken together (a listener and its clients agree),
 * now if anything but counters changed or the refresh interval has passed, else nothing yet.
 * `pending` says whether changes are still waiting (the caller schedules a refresh for them).
 */
export function displayUpdate(
  s: DisplaySlice & { endpoints: Record<string, EndpointSnapshot>; conversations: Record<string, ConversationSnapshot> },
  now: number,
): { update: Partial<DisplaySlice> | null; pending: boolean } {
  const behind = s.shownEndpoints !== s.endpoints || s.shownConversations !== s.conversations;
  if (!behind) return { update: null, pending: false };
  // A listener's clients come and go at the refresh's pace, except its first: that one opens its
  // conversation in the workspace, at once (and a storm's first display is then rows, not a whole
  // conversation view mounted in the same frame as a thousand rows).
  const listenerClient = (c: ConversationSnapshot) => {
    if ((s.endpoints[c.endpointId] ?? s.shownEndpoints[c.endpointId])?.kind !== 'tcp-listener') return false;
    const shown = s.shownEndpoints[c.endpointId];
    return shown?.kind === 'tcp-listener' && shown.clientIds.length > 0;
  };
  const take =
    now - s.shownAt >= DISPLAY_REFRESH_MS ||
    needsImmediate(s.shownEndpoints, s.endpoints) ||
    needsImmediate(s.shownConversations, s.conversations, listenerClient);
  if (!take) return { update: null, pending: true };
  return { update: { shownEndpoints: s.endpoints, shownConversations: s.conversations, shownAt: now }, pending: false };
}

export const selectShownEndpoint = (id: string) => (s: DisplaySlice) => s.shownEndpoints[id];
export const selectShownConversation = (id: string | null | undefined) => (s: DisplaySlice) => (id ? s.shownConversations[id] : undefined);
