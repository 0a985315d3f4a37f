import type { SockAddr } from '../../shared/primitives';
import { guarded, logInternalError } from '../fault-barrier';

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
const MIN_ARENA_BYTES = 16 * 1024;

/**
 * One direction's kept bytes, copied into a fixed arena of `capacity` bytes that is reused as a
 * ring. Copying costs one memcpy per chunk, and it is what keeps memory flat at line rate: the
 * socket's own 64 KiB read buffers die young (a scavenge frees them) instead of being held by the
 * ring long enough to be promoted, where only a full GC — driven by external-memory pressure,
 * i.e. after some hundred MiB of garbage — would release them. Chunks are evicted oldest first,
 * by overlap with the next write, by the count bound, or by `bytes` exceeding the capacity.
 */
class ChunkQueue {
  private items: StoredChunk[] = [];
  private offsets: number[] = [];
  private head = 0;
  private writeAt = 0;
  private storage: Uint8Array | null = null;
  bytes = 0;

  constructor(private readonly capacity: number) {}

  /** Copies `src` in, evicting (and returning the sizes of) whatever it overwrites. */
  store(chunk: StoredChunk, src: Uint8Array, evicted: (c: StoredChunk) => void): void {
    const n = src.length;
    this.grow(n);
    const storage = this.storage as Uint8Array;
    let at = this.writeAt;
    if (at + n > storage.length) {
      // Wrap: the tail [writeAt, capacity) is skipped, and what an older lap left there is the oldest data.
      while (this.length > 0 && (this.offsets[this.head] as number) >= this.writeAt) evicted(this.shift() as StoredChunk);
      at = 0;
    }
    // Everything still kept in [at, at + n) is now the oldest data: it goes first.
    while (this.length > 0) {
      const off = this.offsets[this.head] as number;
      const c = this.items[this.head] as StoredChunk;
      const overlaps = off < at + n && at < off + c.bytes.length;
      if (!overlaps) break;
      evicted(this.shift() as StoredChunk);
    }
    storage.set(src, at);
    chunk.bytes = storage.subarray(at, at + n);
    this.writeAt = at + n;
    this.items.push(chunk);
    this.offsets.push(at);
    this.bytes += n;
  }

  /**
   * The arena starts small and doubles (up to `capacity`) while the next write would not fit: a thousand quiet conversations cost kilobytes, not a mebibyte each. Growing re-packs the
   * kept chunks from offset 0 (their views move to the new storage).
   */
  private grow(n: number): void {
    const size = this.storage?.length ?? 0;
    if (size >= this.capacity || (this.storage && this.writeAt + n <= size)) return;
    let next = Math.max(size * 2, MIN_ARENA_BYTES);
    while (next < this.bytes + n && next < this.capacity) next *= 2;
    const storage = new Uint8Array(Math.min(next, this.capacity));
    let at = 0;
    for (let i = this.head; i < this.items.length; i++) {
      const c = this.items[i] as StoredChunk;
      storage.set(c.bytes, at);
      c.bytes = storage.subarray(at, at + c.bytes.length);
      this.offsets[i] = at;
      at += c.bytes.length;
    }
    this.storage = storage;
    this.writeAt = at;
  }

  shift(): StoredChunk | undefined {
    const c = this.items[this.head];
    if (!c) return undefined;
    this.head++;
    this.bytes -= c.bytes.length;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.offsets = this.offsets.slice(this.head);
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

const EMPTY = new Uint8Array(0);

/**
 * Logs holding socket reads not yet copied into their rings (see `appendRead`); all of them are
 * settled in one check phase, after libuv's poll phase has handed this turn's reads over.
 */
const unsettled = new Set<TrafficLog>();
let settleScheduled = false;
const settleAll = guarded(logInternalError, 'copying received chunks into traffic logs', () => {
  settleScheduled = false;
  const logs = [...unsettled];
  unsettled.clear();
  for (const log of logs) log.settle();
});

/** Chunks of one direction waiting to be copied, oldest first (a head index, not shift(): UDP bursts make thousands). */
class PendingReads {
  items: StoredChunk[] = [];
  head = 0;
  bytes = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

/**
 * A conversation's recent traffic, bounded per direction by bytes and by chunk count. When a
 * bound is exceeded the oldest chunks of that direction go, and `notKept` says how many bytes went,
 * so the UI shows an explicit "N bytes not kept" marker instead of silently losing history.
 */
export class TrafficLog {
  private readonly queues: Record<Direction, ChunkQueue>;
  private nextSeq = 0;
  private readonly dropped = { in: 0, out: 0 };
  private readonly pending: Record<Direction, PendingReads> = { in: new PendingReads(), out: new PendingReads() };
  private hasPending = false;
  /** Sees every chunk with its full bytes before the ring may trim it (a recording). */
  tap: ((chunk: StoredChunk) => void) | null = null;

  constructor(
    private readonly budgetPerDirection = DEFAULT_RING_BYTES,
    private readonly maxChunksPerDirection = DEFAULT_RING_CHUNKS,
  ) {
    this.queues = { in: new ChunkQueue(budgetPerDirection), out: new ChunkQueue(budgetPerDirection) };
  }

  /** Made once, not per append: `append` runs on every received chunk. */
  private readonly evicted: Record<Direction, (gone: StoredChunk) => void> = {
    in: (gone) => (this.dropped.in += gone.bytes.length),
    out: (gone) => (this.dropped.out += gone.bytes.length),
  };

  /** Bytes of each direction that went (evicted, or never kept). */
  get notKept(): { readonly in: number; readonly out: number } {
    this.settle();
    return this.dropped;
  }

  /**
   * Keeps a copy of `bytes` (the caller's buffer is not retained). The returned chunk's bytes are
   * a view into the ring: read them now; once evicted they may be overwritten.
   */
  append(dir: Direction, bytes: Uint8Array, ts: number, peer: SockAddr | null = null): StoredChunk {
    this.settle();
    const chunk: StoredChunk = { seq: this.nextSeq++, ts, dir, bytes, peer };
    this.tap?.(chunk);
    this.store(chunk);
    return chunk;
  }

  /**
   * `append` for a socket read's own buffer, which nobody writes to again (Node allocates one per
   * read). The copy into the ring waits for the end of this event-loop turn, and only the newest
   * chunks that fit the ring are copied then: at line rate libuv hands over ~30 reads of 64 KiB in
   * one turn, and copying the older half only to overwrite it in the same turn was wasted. Nothing
   * can read the ring in between (every reader settles first). The returned chunk's bytes are the
   * caller's buffer: read them now.
   */
  appendRead(dir: Direction, bytes: Uint8Array, ts: number, peer: SockAddr | null = null): StoredChunk {
    const chunk: StoredChunk = { seq: this.nextSeq++, ts, dir, bytes, peer };
    this.tap?.(chunk);
    const p = this.pending[dir];
    p.items.push(chunk);
    p.bytes += bytes.length;
    // The older pending chunks go unread when the newer ones alone fill the ring (bytes or count).
    while (p.length > 1) {
      const oldest = p.items[p.head] as StoredChunk;
      if (p.bytes - oldest.bytes.length < this.budgetPerDirection && p.length <= this.maxChunksPerDirection) break;
      p.head++;
      p.bytes -= oldest.bytes.length;
      this.dropped[dir] += oldest.bytes.length;
      oldest.bytes = EMPTY; // the socket's buffer is not held a moment longer
    }
    if (!this.hasPending) {
      this.hasPending = true;
      unsettled.add(this);
      if (!settleScheduled) {
        settleScheduled = true;
        setImmediate(settleAll);
      }
    }
    return chunk;
  }

  /** Copies what `appendRead` left pending into the rings, in sequence order. */
  settle(): void {
    if (!this.hasPending) return;
    this.hasPending = false;
    unsettled.delete(this);
    const a = this.pending.in;
    const b = this.pending.out;
    while (a.length > 0 || b.length > 0) {
      const ca = a.items[a.head];
      const cb = b.items[b.head];
      if (ca && (!cb || ca.seq < cb.seq)) {
        a.head++;
        this.store(ca);
      } else if (cb) {
        b.head++;
        this.store(cb);
      }
    }
    a.clear();
    b.clear();
  }

  private store(chunk: StoredChunk): void {
    const dir = chunk.dir;
    const bytes = chunk.bytes;
    const q = this.queues[dir];
    let src = bytes;
    if (src.length > this.budgetPerDirection) {
      // A single chunk larger than the whole budget: keep its newest bytes only.
      const excess = src.length - this.budgetPerDirection;
      src = src.subarray(excess);
      this.dropped[dir] += excess;
    }
    q.store(chunk, src, this.evicted[dir]);
    while (q.length > this.maxChunksPerDirection) {
      const gone = q.shift() as StoredChunk;
      this.dropped[dir] += gone.bytes.length;
    }
  }

  get size(): number {
    this.settle();
    return this.queues.in.length + this.queues.out.length;
  }

  get firstKeptSeq(): number {
    this.settle();
    const a = this.queues.in.at(0)?.seq ?? this.nextSeq;
    const b = this.queues.out.at(0)?.seq ?? this.nextSeq;
    return Math.min(a, b);
  }

  /** Up to `limit` chunks strictly before `beforeSeq` (oldest first), at most `maxBytes` of data. */
  page(beforeSeq: number | undefined, limit: number, maxBytes = Number.POSITIVE_INFINITY): StoredChunk[] {
    this.settle();
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
