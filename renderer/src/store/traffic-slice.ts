import type { TrafficChunk } from '../../../shared/endpoints';
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
}

export const createTrafficSlice: Slice<TrafficSlice> = () => ({ traffic: {} });

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
