import type { EngineEvent, EventBatch } from '../../shared/contract';
import type { TrafficChunk } from '../../shared/endpoints';
import type { HubEvent, HubSubscriber } from './event-hub';
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
}

interface PendingTraffic {
  chunks: StoredChunk[];
  previewBytes: number;
  skippedChunks: number;
  skippedBytes: number;
}

export const BATCH_DEFAULTS = {
  intervalMs: 33,
  chunkPreviewBytes: 16 * 1024,
  conversationPreviewBytes: 64 * 1024,
  conversationPreviewChunks: 200,
} as const;

/**
 * One per UI client. Collects hub events and flushes them as one batch at most every
 * `intervalMs`. While pending, memory is bounded: state events are coalesced by key, and traffic
 * previews are capped per conversation (the rest is counted, never queued).
 */
export class EventBatcher implements HubSubscriber {
  private readonly opts: Required<BatcherOptions>;
  private order: string[] = [];
  private states = new Map<string, () => EngineEvent>();
  private traffic = new Map<string, PendingTraffic>();
  private timer: NodeJS.Timeout | null = null;
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
      if (!this.states.has(e.key)) this.order.push(e.key);
      this.states.set(e.key, e.build);
    } else {
      const key = `traffic:${e.conversationId}`;
      let t = this.traffic.get(e.conversationId);
      if (!t) {
        t = { chunks: [], previewBytes: 0, skippedChunks: 0, skippedBytes: 0 };
        this.traffic.set(e.conversationId, t);
        this.order.push(key);
      }
      const preview = Math.min(e.chunk.bytes.length, this.opts.chunkPreviewBytes);
      if (
        t.chunks.length < this.opts.conversationPreviewChunks &&
        t.previewBytes + preview <= this.opts.conversationPreviewBytes
      ) {
        t.chunks.push(e.chunk);
        t.previewBytes += preview;
      } else {
        t.skippedChunks++;
        t.skippedBytes += e.chunk.bytes.length;
      }
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    const wait = Math.max(0, this.opts.intervalMs - (Date.now() - this.lastFlush));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /** Sends everything pending as one batch (unless the sink is congested: then later). */
  flush(): void {
    if (this.order.length === 0 || this.disposed) return;
    if (this.sink.congested?.()) {
      this.lastFlush = Date.now();
      this.schedule();
      return;
    }
    const events: EngineEvent[] = [];
    for (const key of this.order) {
      if (key.startsWith('traffic:')) {
        const id = key.slice('traffic:'.length);
        const t = this.traffic.get(id);
        if (t) events.push(this.trafficEvent(id, t));
      } else {
        const build = this.states.get(key);
        if (build) events.push(build());
      }
    }
    this.order = [];
    this.states = new Map();
    this.traffic = new Map();
    this.lastFlush = Date.now();
    this.sink.send({ seq: this.seq++, events });
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

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.order = [];
    this.states.clear();
    this.traffic.clear();
  }
}

export function toWireChunk(c: StoredChunk, previewBytes: number): TrafficChunk {
  const preview = c.bytes.subarray(0, previewBytes);
  return {
    seq: c.seq,
    ts: c.ts,
    dir: c.dir,
    size: c.bytes.length,
    data: Buffer.from(preview.buffer, preview.byteOffset, preview.length).toString('base64'),
    truncated: preview.length < c.bytes.length,
    peer: c.peer,
  };
}
