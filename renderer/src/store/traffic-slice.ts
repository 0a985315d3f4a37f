import { UI_WATCH_MAX } from '../../../shared/contract';
import type { TrafficChunk } from '../../../shared/endpoints';
import { fetchHistory, fetchWholeChunk, type History } from './conversation-history';
import { engineCall } from './engine-port';
import type { Slice } from './slice';

/** The renderer keeps at most this many chunks per conversation; older ones are paged from the engine. */
export const UI_CHUNKS_PER_CONVERSATION = 2000;

export interface ConversationTraffic {
  chunks: TrafficChunk[];
  /** Chunks the engine did not send previews for (the UI was behind), since this view started. */
  skippedChunks: number;
  skippedBytes: number;
  /** Chunks dropped from this view to keep it bounded (still fetchable while the engine keeps them). */
  trimmed: number;
}

export interface TrafficSlice {
  traffic: Record<string, ConversationTraffic>;
  /**
   * The conversations whose Traffic log is on screen (mounted logs per id), as told to the engine
   * with `ui:watch`; null until the first log mounts. Traffic of any other conversation is neither
   * sent by the engine nor kept here: a log that mounts later gets its recent traffic from the engine.
   */
  trafficWatched: Readonly<Record<string, number>> | null;
  /** A Traffic log mounted: previews of `conversationId` flow until the returned function runs. */
  watchTraffic(conversationId: string): () => void;
  /** Tells the engine again (a new session after a reconnect starts by sending everything). */
  resendTrafficWatch(): void;
  /** Everything the engine still keeps of a conversation, whole (for saving it to a file). */
  fetchHistory(conversationId: string): Promise<History>;
  /** One chunk whole, when the log holds only its preview; null when the engine no longer keeps it. */
  fetchWholeChunk(conversationId: string, seq: number): Promise<TrafficChunk | null>;
}

/** `ui:watch` is sent once per burst of mounts and unmounts (a workspace switch is several). */
let watchScheduled = false;

export const createTrafficSlice: Slice<TrafficSlice> = (set, get) => {
  const sendWatch = () => {
    watchScheduled = false;
    const watched = get().trafficWatched;
    if (!watched) return;
    const ids = Object.keys(watched).slice(0, UI_WATCH_MAX);
    // Traffic of logs no longer shown goes: when one is shown again the engine sends what it still
    // keeps, so what is kept here never has a hole where previews were not sent. (Judged now, not
    // at unmount: a log unmounted and mounted again in one go keeps its traffic.)
    const shown = new Set(ids);
    const gone = Object.keys(get().traffic).filter((id) => !shown.has(id));
    if (gone.length > 0) {
      set((s) => {
        const traffic = { ...s.traffic };
        for (const id of gone) delete traffic[id];
        return { traffic };
      });
    }
    // Not connected yet, or the connection dropped: the next snapshot sends it again.
    engineCall('ui:watch', { conversationIds: ids }).catch(() => undefined);
  };
  const schedule = () => {
    if (watchScheduled) return;
    watchScheduled = true;
    queueMicrotask(sendWatch);
  };
  const change = (conversationId: string, by: 1 | -1) => {
    set((s) => {
      const watched: Record<string, number> = { ...s.trafficWatched };
      const n = (watched[conversationId] ?? 0) + by;
      if (n > 0) watched[conversationId] = n;
      else delete watched[conversationId];
      return { trafficWatched: watched };
    });
    schedule();
  };
  return {
    traffic: {},
    trafficWatched: null,
    watchTraffic: (conversationId) => {
      change(conversationId, 1);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        change(conversationId, -1);
      };
    },
    resendTrafficWatch: () => {
      if (get().trafficWatched) schedule();
    },
    fetchHistory,
    fetchWholeChunk,
  };
};

/** True when the store keeps traffic of `conversationId` (it is watched, or nothing is narrowed yet). */
export function keepsTraffic(s: Pick<TrafficSlice, 'trafficWatched'>, conversationId: string): boolean {
  return s.trafficWatched === null || conversationId in s.trafficWatched;
}

export const EMPTY_TRAFFIC: ConversationTraffic = { chunks: [], skippedChunks: 0, skippedBytes: 0, trimmed: 0 };

export const selectTraffic = (id: string | null | undefined) => (s: TrafficSlice) =>
  (id ? s.traffic[id] : undefined) ?? EMPTY_TRAFFIC;

/** Appends chunks newer than what we have (a snapshot and a batch may overlap), bounded. */
export function appendChunks(prev: ConversationTraffic | undefined, chunks: TrafficChunk[], skipped = { chunks: 0, bytes: 0 }): ConversationTraffic {
  const base = prev ?? EMPTY_TRAFFIC;
  const lastSeq = base.chunks.at(-1)?.seq ?? -1;
  const fresh = chunks.filter((c) => c.seq > lastSeq);
  let all = fresh.length ? base.chunks.concat(fresh) : base.chunks;
  let trimmed = base.trimmed;
  if (all.length > UI_CHUNKS_PER_CONVERSATION) {
    trimmed += all.length - UI_CHUNKS_PER_CONVERSATION;
    all = all.slice(all.length - UI_CHUNKS_PER_CONVERSATION);
  }
  return {
    chunks: all,
    skippedChunks: base.skippedChunks + skipped.chunks,
    skippedBytes: base.skippedBytes + skipped.bytes,
    trimmed,
  };
}
