import type { SockAddr } from '../../../shared/primitives';

export type Direction = 'in' | 'out';

/** One recv()/send() or datagram, kept engine-side with its full bytes. */
export interface StoredChunk {
  seq: number;
  ts: number;
  dir: Direction;
  bytes: Uint8Array;
  peer: SockAddr | null;
}

export const DEFAULT_RING_BYTES = 1024 * 1024;
/** Tiny chunks cost more in bookkeeping than in bytes: the count is bounded too. */
export const DEFAULT_RING_CHUNKS = 20_000;

/** FIFO with O(1) amortised push and shift (Array#shift is O(n) on large arrays). */
class ChunkQueue {
  private items: StoredChunk[] = [];
  private head = 0;
  bytes = 0;

  push(c: StoredChunk): void {
    this.items.push(c);
    this.bytes += c.bytes.length;
  }
  shift(): StoredChunk | undefined {
    const c = this.items[this.head];
    if (!c) return undefined;
    this.head++;
    this.bytes -= c.bytes.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return c;
  }
  get length(): number {
    return this.items.length - this.head;
  }
  at(i: number): StoredChunk | undefined {
    return this.items[this.head + i];
  }
  /** Number of chunks with seq < beforeSeq (the queue is sorted by seq). */
  countBefore(beforeSeq: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.at(mid) as StoredChunk).seq < beforeSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * A conversation's recent traffic, bounded per direction by bytes and by chunk count. When a
 * bound is exceeded the oldest chunks of that direction go, and `notKept` says how many bytes went,
 * so the UI shows an explicit "N bytes not kept" marker instead of silently losing history.
 */
export class TrafficLog {
  private readonly queues = { in: new ChunkQueue(), out: new ChunkQueue() };
  private nextSeq = 0;
  readonly notKept = { in: 0, out: 0 };

  constructor(
    private readonly budgetPerDirection = DEFAULT_RING_BYTES,
    private readonly maxChunksPerDirection = DEFAULT_RING_CHUNKS,
  ) {}

  append(dir: Direction, bytes: Uint8Array, ts: number, peer: SockAddr | null = null): StoredChunk {
    const chunk: StoredChunk = { seq: this.nextSeq++, ts, dir, bytes, peer };
    const q = this.queues[dir];
    q.push(chunk);
    while (q.length > 1 && (q.bytes > this.budgetPerDirection || q.length > this.maxChunksPerDirection)) {
      const gone = q.shift() as StoredChunk;
      this.notKept[dir] += gone.bytes.length;
    }
    if (q.bytes > this.budgetPerDirection) {
      // A single chunk larger than the whole budget: keep its newest bytes only.
      const excess = q.bytes - this.budgetPerDirection;
      chunk.bytes = chunk.bytes.subarray(excess);
      q.bytes -= excess;
      this.notKept[dir] += excess;
    }
    return chunk;
  }

  get size(): number {
    return this.queues.in.length + this.queues.out.length;
  }

  get firstKeptSeq(): number {
    const a = this.queues.in.at(0)?.seq ?? this.nextSeq;
    const b = this.queues.out.at(0)?.seq ?? this.nextSeq;
    return Math.min(a, b);
  }

  /** Up to `limit` chunks strictly before `beforeSeq` (oldest first), at most `maxBytes` of data. */
  page(beforeSeq: number | undefined, limit: number, maxBytes = Number.POSITIVE_INFINITY): StoredChunk[] {
    const before = beforeSeq ?? this.nextSeq;
    let i = this.queues.in.countBefore(before) - 1;
    let o = this.queues.out.countBefore(before) - 1;
    const out: StoredChunk[] = [];
    let bytes = 0;
    while (out.length < limit && (i >= 0 || o >= 0)) {
      const ci = i >= 0 ? this.queues.in.at(i) : undefined;
      const co = o >= 0 ? this.queues.out.at(o) : undefined;
      let next: StoredChunk;
      if (ci && (!co || ci.seq > co.seq)) {
        next = ci;
        i--;
      } else {
        next = co as StoredChunk;
        o--;
      }
      bytes += next.bytes.length;
      if (bytes > maxBytes && out.length > 0) break;
      out.push(next);
    }
    return out.reverse();
  }
}
