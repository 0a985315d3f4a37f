import type { EngineEvent } from '../shared/contract';
import type { StoredChunk } from './traffic/traffic-log';

/**
 * What engine code emits. State changes are coalesced by key and built lazily when a batch is
 * flushed, so a conversation receiving 10,000 chunks a second builds its snapshot at most once per
 * flush. Traffic chunks are passed by reference; batchers cap how much of them they carry.
 */
export type HubEvent = StateEvent | { kind: 'traffic'; conversationId: string; chunk: StoredChunk };

/**
 * `throttleMs`: a counters-only change, sent at most that often per key (a real state change is not held).
 * `build` runs later, in a batcher's timer: by then its subject may be gone, and it says so with null.
 */
export interface StateEvent {
  kind: 'state';
  key: string;
  build: () => EngineEvent | null;
  throttleMs?: number;
  /**
   * For subscribers that take appends (a session's `timelineAppends`): `build` as a change from
   * what that subscriber was sent at `mark` (its own, kept per key; undefined: nothing yet).
   */
  since?: (mark: object | undefined) => { event: EngineEvent | null; mark: object };
}

export interface HubSubscriber {
  push(event: HubEvent): void;
}

export class EventHub {
  private readonly subscribers = new Set<HubSubscriber>();

  subscribe(s: HubSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** Announce that `key`'s state changed; `build` runs at flush time, once per batch. */
  changed(key: string, build: () => EngineEvent | null, throttleMs?: number): void {
    this.emit(throttleMs ? { kind: 'state', key, build, throttleMs } : { kind: 'state', key, build });
  }

  /**
   * Emits a state event made once by its owner and reused for every change (subscribers keep its
   * key and builder, never the event): no allocation per received chunk.
   */
  emitState(e: StateEvent): void {
    this.emit(e);
  }

  traffic(conversationId: string, chunk: StoredChunk): void {
    this.emit({ kind: 'traffic', conversationId, chunk });
  }

  private emit(e: HubEvent): void {
    for (const s of this.subscribers) s.push(e);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
