import type { EngineEvent, EventBatch } from '../shared/contract';
import type { TrafficChunk } from '../shared/endpoints';
import type { HubEvent, HubSubscriber } from './event-hub';
import { guarded, logInternalError } from './fault-barrier';
import type { StoredChunk } from './traffic/traffic-log';

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
}

/** A chunk as a batch carries it: its preview bytes copied, its real size remembered. */
interface PreviewChunk extends StoredChunk {
  size: number;
}

function previewOf(c: StoredChunk, previewBytes: number): PreviewChunk {
  return { ...c, bytes: c.bytes.slice(0, previewBytes), size: c.bytes.length };
}

interface PendingTraffic {
  chunks: PreviewChunk[];
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
} as const;

/**
 * One per UI client. Collects hub events and flushes them as one batch at most every
 * `intervalMs`. While pending, memory is bounded: state events are coalesced by key, and traffic
 * previews are capped per conversation (the rest is counted, never queued).
 */
export class EventBatcher implements HubSubscriber {
  private readonly opts: Required<BatcherOptions>;
  private order: string[] = [];
  private states = new Map<string, () => EngineEvent | null>();
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

  constructor(
    private readonly sink: BatchSink,
    options: BatcherOptions = {},
  ) {
    this.opts = { ...BATCH_DEFAULTS, ...options };
  }

  push(e: HubEvent): void {
    if (this.disposed) return;
    if (e.kind === 'state') {
      const pending = this.states.get(e.key);
      // Fast path, taken on nearly every received chunk at line rate: the same counters-only change
      // is already pending (and its flush scheduled); there is nothing to add.
      if (pending === e.build && e.throttleMs && this.holdable.get(e.key) === e.throttleMs) return;
      if (!pending) this.order.push(e.key);
      this.states.set(e.key, e.build);
      if (!e.throttleMs) {
        this.urgent.add(e.key);
        this.holdable.delete(e.key);
      } else if (!this.urgent.has(e.key)) {
        this.holdable.set(e.key, e.throttleMs);
      }
    } else {
      let t = this.traffic.get(e.conversationId);
      if (!t) {
        t = { chunks: [], previewBytes: 0, skippedChunks: 0, skippedBytes: 0 };
        this.traffic.set(e.conversationId, t);
        this.order.push(`traffic:${e.conversationId}`);
      }
      const preview = Math.min(e.chunk.bytes.length, this.opts.chunkPreviewBytes);
      if (
        t.chunks.length < this.opts.conversationPreviewChunks &&
        t.previewBytes + preview <= this.opts.conversationPreviewBytes
      ) {
        // A copy of the preview only: the ring may overwrite the chunk's bytes before we flush.
        t.chunks.push(previewOf(e.chunk, preview));
        t.previewBytes += preview;
      } else {
        t.skippedChunks++;
        t.skippedBytes += e.chunk.bytes.length;
      }
    }
    this.schedule(e.kind === 'state' && e.throttleMs && !this.urgent.has(e.key) ? this.holdRemaining(e.key, e.throttleMs) : 0);
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
    if (this.order.length === 0 || this.disposed) return;
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
        if (t) events.push(this.trafficEvent(id, t));
        continue;
      }
      const build = this.states.get(key);
      if (!build) continue;
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
      const event = this.build(key, build);
      if (event) (event.type === 'endpoint:removed' ? removals : events).push(event);
      this.sentAt.set(key, now);
    }
    const states = new Map<string, () => EngineEvent | null>();
    const holdable = new Map<string, number>();
    for (const key of held) {
      states.set(key, this.states.get(key) as () => EngineEvent | null);
      holdable.set(key, this.holdable.get(key) as number);
    }
    this.order = held;
    this.states = states;
    this.holdable = holdable;
    this.urgent = new Set();
    this.traffic = new Map();
    this.lastFlush = now;
    if (this.sentAt.size > 50_000) for (const [k, t] of this.sentAt) if (now - t > 10_000) this.sentAt.delete(k);
    events.push(...removals);
    if (events.length > 0) this.deliver({ seq: this.seq++, events });
    if (held.length > 0) this.schedule(heldFor);
  }

  /**
   * A snapshot builder that throws is a bug in the endpoint it describes; in this timer it would
   * end the whole host. It is logged and that one event is left out, the rest of the batch goes.
   */
  private build(key: string, build: () => EngineEvent | null): EngineEvent | null {
    try {
      return build();
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
    const chunks: TrafficChunk[] = t.chunks.map((c) => toWireChunk(c, this.opts.chunkPreviewBytes));
    return {
      type: 'traffic:appended',
      conversationId,
      chunks,
      skipped: { chunks: t.skippedChunks, bytes: t.skippedBytes },
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
  }
}

export function toWireChunk(c: StoredChunk | PreviewChunk, previewBytes: number): TrafficChunk {
  const preview = c.bytes.subarray(0, previewBytes);
  const size = 'size' in c ? c.size : c.bytes.length;
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
