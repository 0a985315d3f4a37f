import type { EngineEvent, EventBatch } from '../shared/contract';
import type { TrafficChunk } from '../shared/endpoints';
import type { HubEvent, HubSubscriber, StateEvent } from './event-hub';
import { guarded, logInternalError } from './fault-barrier';
import type { StoredChunk, TrafficLog } from './traffic/traffic-log';
import type { UiClient } from './ui-client';

export interface BatchSink {
  send(batch: EventBatch): void;
  /** True while the transport still holds too much unsent data (a slow or hidden UI). */
  congested?(): boolean;
}

export interface BatcherOptions {
  /** Minimum time between two flushes: at most 1000/intervalMs batches per second. */
  intervalMs?: number;
  /** Preview bytes carried per chunk; the rest is fetched with traffic:page when wanted. */
  chunkPreviewBytes?: number;
  /** Preview bytes carried per conversation per batch; beyond that chunks are counted as skipped. */
  conversationPreviewBytes?: number;
  /** Preview chunks carried per conversation per batch. */
  conversationPreviewChunks?: number;
  /**
   * Counters-only snapshots (throttled keys) carried per batch; the rest wait for the next flush,
   * oldest first. Without it a thousand clients that started together send their counters in the
   * same batch every COUNTERS_MS, and the UI drops a frame on each of those batches; with it they
   * spread over a few flushes once and stay spread.
   */
  countersPerFlush?: number;
  /** Minimum spacing of counters-only changes of what the client does not watch (once it said). */
  unwatchedCountersMs?: number;
  /** Chunks (and bytes) of recent traffic a conversation newly watched gets from its log. */
  catchUpChunks?: number;
  catchUpBytes?: number;
  /**
   * Recent traffic read from the logs per batch, across conversations (at least one goes): a
   * session attached to a thousand conversations gets theirs over a few batches, not in one task.
   */
  catchUpBytesPerFlush?: number;
  catchUpPerFlush?: number;
}

/** What a batcher needs of the engine besides the hub: its conversations' logs. */
interface TrafficSource {
  log(conversationId: string): TrafficLog | undefined;
  /** Every conversation now, oldest first. */
  conversationIds(): string[];
}


interface PendingTraffic {
  /**
   * Already in wire form: the preview is base64-encoded when the chunk arrives (the ring may
   * overwrite its bytes before the flush), one string instead of a copied ArrayBuffer per chunk
   * and a second pass at flush time — a UDP burst pushes thousands a second.
   */
  chunks: TrafficChunk[];
  previewBytes: number;
  skippedChunks: number;
  skippedBytes: number;
}

export const BATCH_DEFAULTS = {
  intervalMs: 33,
  chunkPreviewBytes: 16 * 1024,
  conversationPreviewBytes: 64 * 1024,
  conversationPreviewChunks: 200,
  countersPerFlush: 200,
  unwatchedCountersMs: 1000,
  catchUpChunks: 200,
  catchUpBytes: 256 * 1024,
  catchUpBytesPerFlush: 256 * 1024,
  catchUpPerFlush: 64,
} as const;

const NO_TRAFFIC: TrafficSource = { log: () => undefined, conversationIds: () => [] };

/**
 * One per UI client. Collects hub events and flushes them as one batch at most every
 * `intervalMs`. While pending, memory is bounded: state events are coalesced by key, and traffic
 * previews are capped per conversation (the rest is counted, never queued).
 *
 * Traffic previews go only to conversations the client watches (`watch`, from `ui:watch`): a UI
 * shows one Traffic log, and copying, encoding and parsing previews of a thousand others was most
 * of the pipeline's work under load. Counters (conversation snapshots) still go for every one.
 */
export class EventBatcher implements HubSubscriber, UiClient {
  private readonly opts: Required<BatcherOptions>;
  private order: string[] = [];
  private states = new Map<string, StateEvent>();
  private traffic = new Map<string, PendingTraffic>();
  /** Keys whose pending change is counters only, with their minimum spacing. */
  private holdable = new Map<string, number>();
  /** Keys with a real state change pending: never held back. */
  private urgent = new Set<string>();
  private sentAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly onTimer = guarded(logInternalError, 'the event batcher', () => {
    this.timer = null;
    this.flush();
  });
  private timerDue = 0;
  private lastFlush = 0;
  private seq = 0;
  private disposed = false;
  /** null: the client never said what it shows, so it gets every conversation's previews. */
  private watched: ReadonlySet<string> | null = null;
  /**
   * Owed their recent traffic, read from the log at a flush (a few per flush) instead of live
   * previews: newly watched ones, and at a hello every conversation then (the snapshot has none).
   */
  private catchUp = new Set<string>();
  /** Between a hello and its snapshot going out: nothing is sent (it would be older than the snapshot). */
  private held = false;
  /** The client applies `listener:changed`: per key, what it was last sent (see StateEvent.since). */
  private appends = false;
  private marks = new Map<string, object>();

  constructor(
    private readonly sink: BatchSink,
    options: BatcherOptions = {},
    private readonly source: TrafficSource = NO_TRAFFIC,
  ) {
    this.opts = { ...BATCH_DEFAULTS, ...options };
  }

  /**
   * A hello: the client starts over from a snapshot it is about to be sent, with no traffic in it.
   * Nothing is sent until `synced`; what changes meanwhile waits (coalesced, built at the flush, so
   * never older than the snapshot). The client watches everything again until it says otherwise.
   */
  restart(options: { timelineAppends: boolean }): void {
    if (this.disposed) return;
    this.held = true;
    this.appends = options.timelineAppends;
    this.marks.clear();
    this.watched = null;
    this.traffic.clear();
    this.catchUp.clear();
  }

  /** The snapshot went out: batches flow, starting with the recent traffic of every conversation. */
  synced(): void {
    if (this.disposed || !this.held) return;
    this.held = false;
    // Newest first: the conversations a person most likely looks at.
    for (const id of this.source.conversationIds().reverse()) {
      this.catchUp.add(id);
      this.traffic.delete(id);
    }
    this.schedule();
  }

  watching(): ReadonlySet<string> | null {
    return this.watched;
  }

  watch(conversationIds: readonly string[]): void {
    if (this.disposed) return;
    const before = this.watched;
    const next = new Set(conversationIds);
    this.watched = next;
    for (const id of this.traffic.keys()) if (!next.has(id)) this.traffic.delete(id);
    for (const id of this.catchUp) if (!next.has(id)) this.catchUp.delete(id);
    // Until now a client that watched nothing in particular was sent everything (what it is still
    // owed stays in catchUp): nothing more to catch up.
    if (before === null) return;
    let added = false;
    for (const id of next) {
      if (before.has(id)) continue;
      this.catchUp.add(id);
      this.traffic.delete(id);
      added = true;
    }
    if (added) this.schedule();
  }

  private pendingTraffic(conversationId: string): PendingTraffic {
    let t = this.traffic.get(conversationId);
    if (!t) {
      t = { chunks: [], previewBytes: 0, skippedChunks: 0, skippedBytes: 0 };
      this.traffic.set(conversationId, t);
      this.order.push(`traffic:${conversationId}`);
    }
    return t;
  }

  push(e: HubEvent): void {
    if (this.disposed) return;
    if (e.kind === 'state') {
      const pending = this.states.get(e.key);
      // Fast path, taken on nearly every received chunk at line rate: the same counters-only change
      // is already pending (and its flush scheduled); there is nothing to add.
      if (pending?.build === e.build && e.throttleMs && this.holdable.has(e.key)) return;
      if (!pending) this.order.push(e.key);
      this.states.set(e.key, e);
      if (!e.throttleMs) {
        this.urgent.add(e.key);
        this.holdable.delete(e.key);
      } else if (!this.urgent.has(e.key)) {
        const spacing = this.countersSpacing(e.key, e.throttleMs);
        this.holdable.set(e.key, spacing);
        this.schedule(this.holdRemaining(e.key, spacing));
        return;
      }
    } else {
      // About to be sent from the log whole, or not shown by this client (its counters still go).
      if (this.catchUp.has(e.conversationId) || (this.watched !== null && !this.watched.has(e.conversationId))) return;
      const t = this.pendingTraffic(e.conversationId);
      const preview = Math.min(e.chunk.bytes.length, this.opts.chunkPreviewBytes);
      if (
        t.chunks.length < this.opts.conversationPreviewChunks &&
        t.previewBytes + preview <= this.opts.conversationPreviewBytes
      ) {
        t.chunks.push(toWireChunk(e.chunk, preview));
        t.previewBytes += preview;
      } else {
        t.skippedChunks++;
        t.skippedBytes += e.chunk.bytes.length;
      }
    }
    this.schedule();
  }

  /**
   * How far apart this client gets counters-only changes of `key` (`endpoint:<id>`,
   * `conversation:<id>`). Once it said what it shows, whatever it does not watch moves to
   * `unwatchedCountersMs`: the UI shows those counters once a second (display-slice.ts), and a
   * thousand busy clients' snapshots four times a second were most of what it parsed under load.
   */
  private countersSpacing(key: string, throttleMs: number): number {
    if (this.watched === null || this.watched.has(key.slice(key.indexOf(':') + 1))) return throttleMs;
    return Math.max(throttleMs, this.opts.unwatchedCountersMs);
  }

  /** Flushes no sooner than `atLeastMs` from now (and the interval); an earlier need moves a later timer up. */
  private schedule(atLeastMs = 0): void {
    if (this.disposed) return;
    const now = Date.now();
    const wait = Math.max(0, atLeastMs, this.opts.intervalMs - (now - this.lastFlush));
    if (this.timer) {
      if (this.timerDue <= now + wait) return;
      clearTimeout(this.timer);
    }
    this.timerDue = now + wait;
    this.timer = setTimeout(this.onTimer, wait);
  }

  /** How long a counters-only change of `key` must still wait. */
  private holdRemaining(key: string, spacing: number): number {
    const last = this.sentAt.get(key);
    return last === undefined ? 0 : Math.max(0, last + spacing - Date.now());
  }

  /** Sends everything pending as one batch (unless the sink is congested: then later). */
  flush(): void {
    if ((this.order.length === 0 && this.catchUp.size === 0) || this.disposed) return;
    if (this.held) {
      // `synced` flushes; until then this timer (re-armed by new changes) runs at the usual pace.
      this.lastFlush = Date.now();
      return;
    }
    if (this.sink.congested?.()) {
      this.lastFlush = Date.now();
      this.schedule();
      return;
    }
    const now = Date.now();
    const events: EngineEvent[] = [];
    /**
     * Last in the batch: events keep the order their keys were first touched, so a removal would
     * otherwise come before its own clients' changes and traffic from the same window, and a UI
     * applying the batch in order would keep those forever under no endpoint.
     */
    const removals: EngineEvent[] = [];
    const held: string[] = [];
    let heldFor = Number.POSITIVE_INFINITY;
    let counters = 0;
    for (const key of this.order) {
      if (key.startsWith('traffic:')) {
        const id = key.slice('traffic:'.length);
        const t = this.traffic.get(id);
        if (t) {
          this.traffic.delete(id); // a key listed twice (unwatched, then watched again) sends once
          events.push(this.trafficEvent(id, t));
        }
        continue;
      }
      const state = this.states.get(key);
      if (!state) continue;
      const spacing = this.holdable.get(key);
      const last = this.sentAt.get(key);
      if (spacing !== undefined && last !== undefined && now - last < spacing) {
        // Counters of this key went out less than `spacing` ago: they wait (coalescing further).
        held.push(key);
        heldFor = Math.min(heldFor, last + spacing - now);
        continue;
      }
      if (spacing !== undefined && ++counters > this.opts.countersPerFlush) {
        // This batch carries enough counters already: the next flush takes this key first.
        held.push(key);
        heldFor = 0;
        continue;
      }
      const event = this.build(key, state);
      if (event?.type === 'endpoint:removed') {
        removals.push(event);
        this.marks.delete(key);
      } else if (event) events.push(event);
      this.sentAt.set(key, now);
    }
    const states = new Map<string, StateEvent>();
    const holdable = new Map<string, number>();
    for (const key of held) {
      states.set(key, this.states.get(key) as StateEvent);
      holdable.set(key, this.holdable.get(key) as number);
    }
    this.order = held;
    this.states = states;
    this.holdable = holdable;
    this.urgent = new Set();
    this.traffic = new Map();
    this.catchUpSome(events);
    this.lastFlush = now;
    if (this.sentAt.size > 50_000) for (const [k, t] of this.sentAt) if (now - t > 10_000) this.sentAt.delete(k);
    events.push(...removals);
    if (events.length > 0) this.deliver({ seq: this.seq++, events });
    if (held.length > 0) this.schedule(heldFor);
    else if (this.catchUp.size > 0) this.schedule();
  }

  /** Recent traffic from the logs for the conversations owed it, within this flush's budget. */
  private catchUpSome(events: EngineEvent[]): void {
    let bytes = 0;
    let count = 0;
    for (const id of this.catchUp) {
      if (count >= this.opts.catchUpPerFlush || bytes >= this.opts.catchUpBytesPerFlush) break;
      this.catchUp.delete(id);
      count++;
      const event = this.catchUpEvent(id);
      if (!event) continue;
      events.push(event);
      for (const c of event.chunks) bytes += Math.min(c.size, this.opts.chunkPreviewBytes);
    }
  }

  /**
   * A snapshot builder that throws is a bug in the endpoint it describes; in this timer it would
   * end the whole host. It is logged and that one event is left out, the rest of the batch goes.
   */
  private build(key: string, state: StateEvent): EngineEvent | null {
    try {
      if (!this.appends || !state.since) return state.build();
      const { event, mark } = state.since(this.marks.get(key));
      this.marks.set(key, mark);
      return event;
    } catch (err) {
      logInternalError(`building the ${key} event`, err);
      return null;
    }
  }

  /** A transport that throws on send (a window being destroyed) loses this batch, not the host. */
  private deliver(batch: EventBatch): void {
    try {
      this.sink.send(batch);
    } catch (err) {
      logInternalError('sending an event batch', err);
    }
  }

  private trafficEvent(conversationId: string, t: PendingTraffic): EngineEvent {
    return {
      type: 'traffic:appended',
      conversationId,
      chunks: t.chunks,
      skipped: { chunks: t.skippedChunks, bytes: t.skippedBytes },
    };
  }

  /**
   * A newly watched conversation's recent traffic, read from its log at flush time: everything a
   * live preview would have carried since the watch began is in it, and what came before too.
   */
  private catchUpEvent(conversationId: string): Extract<EngineEvent, { type: 'traffic:appended' }> | null {
    const log = this.source.log(conversationId);
    if (!log) return null;
    const chunks = log.page(undefined, this.opts.catchUpChunks, this.opts.catchUpBytes);
    if (chunks.length === 0) return null;
    return {
      type: 'traffic:appended',
      conversationId,
      chunks: chunks.map((c) => toWireChunk(c, this.opts.chunkPreviewBytes)),
      skipped: { chunks: 0, bytes: 0 },
    };
  }

  /** What waits for the next flush: bounded by keys (coalesced) and per-conversation preview caps. */
  pending(): { keys: number; previewChunks: number; previewBytes: number; skippedChunks: number; skippedBytes: number; sentAt: number } {
    let previewChunks = 0;
    let previewBytes = 0;
    let skippedChunks = 0;
    let skippedBytes = 0;
    for (const t of this.traffic.values()) {
      previewChunks += t.chunks.length;
      previewBytes += t.previewBytes;
      skippedChunks += t.skippedChunks;
      skippedBytes += t.skippedBytes;
    }
    return { keys: this.order.length, previewChunks, previewBytes, skippedChunks, skippedBytes, sentAt: this.sentAt.size };
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.order = [];
    this.states.clear();
    this.traffic.clear();
    this.catchUp.clear();
    this.marks.clear();
  }
}

export function toWireChunk(c: StoredChunk, previewBytes: number): TrafficChunk {
  const preview = c.bytes.subarray(0, previewBytes);
  const size = c.bytes.length;
  return {
    seq: c.seq,
    ts: c.ts,
    dir: c.dir,
    size,
    data: Buffer.from(preview.buffer, preview.byteOffset, preview.length).toString('base64'),
    truncated: preview.length < size,
    peer: c.peer,
  };
}
