import type { NotKept } from '../../shared/endpoints';
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

const EMPTY = new Uint8Array(0);

export const DEFAULT_RING_BYTES = 1024 * 1024;
/** Tiny chunks cost more in bookkeeping than in bytes: the count is bounded too. */
export const DEFAULT_RING_CHUNKS = 20_000;
/** Every log of an engine together: the arenas and chunk records of a thousand busy conversations. */
export const DEFAULT_TRAFFIC_MEMORY_BYTES = 256 * 1024 * 1024;
const MIN_ARENA_BYTES = 16 * 1024;
const MIN_RECORDS = 32;
/** seq and ts (Float64), offset and length (Uint32), per kept chunk. */
const RECORD_BYTES = 24;

/**
 * The memory every traffic log of one engine draws from. Each log's arena and chunk records start
 * small and grow on demand; once the engine-wide budget is taken, a log stays at the size it has
 * (its smallest size is always granted, so each can still show its newest bytes) and the oldest of
 * its own chunks go, counted as not kept. Without it a thousand busy conversations could each keep
 * a mebibyte per direction and twenty thousand chunk records: gigabytes.
 */
export class TrafficMemory {
  private used = 0;
  constructor(readonly budgetBytes: number = DEFAULT_TRAFFIC_MEMORY_BYTES) {}

  /** Takes `bytes` if the budget allows (or `always`: a log's smallest size); false when it does not. */
  take(bytes: number, always = false): boolean {
    if (!always && this.used + bytes > this.budgetBytes) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  get usedBytes(): number {
    return this.used;
  }
}

/**
 * One direction's kept chunks: their bytes copied into an arena reused as a ring, their seq, time,
 * offset and length in typed arrays (a ring of records). No JavaScript object is kept per chunk:
 * with a thousand busy conversations a kept object and typed-array view per message made each
 * young-generation collection copy and promote tens of thousands of them (15–20 ms pauses, measured
 * in docs/benchmarks.md), and the old generation grew without bound. Chunk objects are made only
 * for whoever reads (`at`), as views that stay valid until the next write. Copying the bytes costs
 * one memcpy per chunk, and it is what keeps memory flat at line rate: the socket's own 64 KiB read
 * buffers die young. Chunks are evicted oldest first, by overlap with the next write, by the
 * record bound, or by `bytes` exceeding the arena.
 */
class ChunkQueue {
  private storage: Uint8Array = EMPTY;
  private writeAt = 0;
  /** The engine's memory refused this queue a bigger arena or record ring at least once. */
  limited = false;
  private seqs = new Float64Array(0);
  private stamps = new Float64Array(0);
  private offsets = new Uint32Array(0);
  private lengths = new Uint32Array(0);
  /** Per record, the datagram's peer (UDP only; created on the first one that has a peer). */
  private peers: (SockAddr | null)[] | null = null;
  /** Ring index of the oldest record. */
  private first = 0;
  length = 0;
  bytes = 0;

  constructor(
    private readonly dir: Direction,
    private readonly capacity: number,
    private readonly maxChunks: number,
    private readonly memory: TrafficMemory,
  ) {}

  /**
   * Copies `src` in, evicting (and reporting the sizes of) whatever it overwrites; returns how many
   * of its leading bytes were not kept because the arena cannot hold it whole.
   */
  store(seq: number, ts: number, src: Uint8Array, peer: SockAddr | null, evicted: (bytes: number) => void): number {
    this.grow(src.length);
    const storage = this.storage;
    let excess = 0;
    if (src.length > storage.length) {
      excess = src.length - storage.length;
      src = src.subarray(excess);
    }
    const n = src.length;
    let at = this.writeAt;
    if (at + n > storage.length) {
      // Wrap: the tail [writeAt, end) is skipped, and what an older lap left there is the oldest data.
      while (this.length > 0 && this.offsetAt(0) >= this.writeAt) evicted(this.shift());
      at = 0;
    }
    // Everything still kept in [at, at + n) is now the oldest data: it goes first. An empty chunk
    // (a zero-length datagram) there goes too: left at the head it would stop this loop before the
    // chunks behind it whose bytes are about to be overwritten.
    while (this.length > 0) {
      const off = this.offsetAt(0);
      if (!(off < at + n && at < off + Math.max(this.lengthAt(0), 1))) break;
      evicted(this.shift());
    }
    if (this.length === this.seqs.length && !this.growRecords()) evicted(this.shift());
    storage.set(src, at);
    const slot = (this.first + this.length) % this.seqs.length;
    this.seqs[slot] = seq;
    this.stamps[slot] = ts;
    this.offsets[slot] = at;
    this.lengths[slot] = n;
    if (peer && !this.peers) this.peers = new Array<SockAddr | null>(this.seqs.length).fill(null);
    if (this.peers) this.peers[slot] = peer;
    this.length++;
    this.writeAt = at + n;
    this.bytes += n;
    return excess;
  }

  /**
   * The arena starts small and doubles (up to `capacity`, and while the engine's memory allows)
   * when the next write would not fit: a thousand quiet conversations cost kilobytes, not a
   * mebibyte each. Growing re-packs the kept chunks from offset 0.
   */
  private grow(n: number): void {
    const size = this.storage.length;
    if (size >= this.capacity || (size > 0 && this.writeAt + n <= size)) return;
    let next = Math.max(size * 2, MIN_ARENA_BYTES);
    while (next < this.bytes + n && next < this.capacity) next *= 2;
    next = Math.min(next, this.capacity);
    if (!this.memory.take(next - size, size === 0 && next <= MIN_ARENA_BYTES)) {
      this.limited = true;
      // Out of the engine's memory: a log that has nothing yet still gets its smallest arena.
      if (size > 0) return;
      next = Math.min(MIN_ARENA_BYTES, this.capacity);
      this.memory.take(next, true);
    }
    if (size > 0) this.limited = false; // it could grow again: memory went back
    const storage = new Uint8Array(next);
    let at = 0;
    for (let i = 0; i < this.length; i++) {
      const slot = this.slot(i);
      const len = this.lengths[slot] as number;
      const off = this.offsets[slot] as number;
      storage.set(this.storage.subarray(off, off + len), at);
      this.offsets[slot] = at;
      at += len;
    }
    this.storage = storage;
    this.writeAt = at;
  }

  /** Doubles the record ring (up to `maxChunks`) if the engine's memory allows; false: evict instead. */
  private growRecords(): boolean {
    const size = this.seqs.length;
    const next = Math.min(Math.max(size * 2, MIN_RECORDS), this.maxChunks);
    if (next <= size) return false;
    if (!this.memory.take((next - size) * RECORD_BYTES, size === 0)) {
      this.limited = true;
      return false;
    }
    this.limited = false;
    const order = (from: Float64Array | Uint32Array, to: Float64Array | Uint32Array) => {
      for (let i = 0; i < this.length; i++) to[i] = from[this.slot(i)] as number;
    };
    const seqs = new Float64Array(next);
    const stamps = new Float64Array(next);
    const offsets = new Uint32Array(next);
    const lengths = new Uint32Array(next);
    order(this.seqs, seqs);
    order(this.stamps, stamps);
    order(this.offsets, offsets);
    order(this.lengths, lengths);
    if (this.peers) {
      const peers = new Array<SockAddr | null>(next).fill(null);
      for (let i = 0; i < this.length; i++) peers[i] = this.peers[this.slot(i)] ?? null;
      this.peers = peers;
    }
    this.seqs = seqs;
    this.stamps = stamps;
    this.offsets = offsets;
    this.lengths = lengths;
    this.first = 0;
    return true;
  }

  private slot(i: number): number {
    return (this.first + i) % this.seqs.length;
  }

  private offsetAt(i: number): number {
    return this.offsets[this.slot(i)] as number;
  }

  private lengthAt(i: number): number {
    return this.lengths[this.slot(i)] as number;
  }

  seqAt(i: number): number {
    return this.seqs[this.slot(i)] as number;
  }

  /** Forgets the oldest chunk; returns its size. */
  shift(): number {
    if (this.length === 0) return 0;
    const slot = this.first;
    const len = this.lengths[slot] as number;
    if (this.peers) this.peers[slot] = null;
    this.first = (slot + 1) % this.seqs.length;
    this.length--;
    this.bytes -= len;
    return len;
  }

  /** The i-th oldest chunk, its bytes a view of the arena (valid until the next write). */
  at(i: number): StoredChunk {
    const slot = this.slot(i);
    const off = this.offsets[slot] as number;
    return {
      seq: this.seqs[slot] as number,
      ts: this.stamps[slot] as number,
      dir: this.dir,
      bytes: this.storage.subarray(off, off + (this.lengths[slot] as number)),
      peer: this.peers?.[slot] ?? null,
    };
  }

  /** The newest chunk's bytes, a view of the arena (valid until the next write); one view, no chunk object. */
  newestBytes(): Uint8Array {
    if (this.length === 0) return EMPTY;
    const slot = this.slot(this.length - 1);
    const off = this.offsets[slot] as number;
    return this.storage.subarray(off, off + (this.lengths[slot] as number));
  }

  /** Number of chunks with seq < beforeSeq (the queue is sorted by seq). */
  countBefore(beforeSeq: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqAt(mid) < beforeSeq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Gives the arena and records back to the engine's memory; the queue keeps nothing after. */
  release(): void {
    this.memory.give(this.storage.length + this.seqs.length * RECORD_BYTES);
    this.storage = EMPTY;
    this.seqs = new Float64Array(0);
    this.stamps = new Float64Array(0);
    this.offsets = new Uint32Array(0);
    this.lengths = new Uint32Array(0);
    this.peers = null;
    this.first = 0;
    this.writeAt = 0;
    this.length = 0;
    this.bytes = 0;
  }
}

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

  /** Set once the conversation is forgotten: its memory went back, and nothing more is kept. */
  private released = false;

  /** `memory`: the engine's, shared by all its logs (a log made alone gets one of its own). */
  constructor(
    private readonly budgetPerDirection = DEFAULT_RING_BYTES,
    private readonly maxChunksPerDirection = DEFAULT_RING_CHUNKS,
    memory: TrafficMemory = new TrafficMemory(),
  ) {
    this.queues = {
      in: new ChunkQueue('in', budgetPerDirection, maxChunksPerDirection, memory),
      out: new ChunkQueue('out', budgetPerDirection, maxChunksPerDirection, memory),
    };
  }

  /** Made once, not per append: `append` runs on every received chunk. */
  private readonly evicted: Record<Direction, (bytes: number) => void> = {
    in: (bytes) => (this.dropped.in += bytes),
    out: (bytes) => (this.dropped.out += bytes),
  };

  /** The conversation is forgotten: its arenas go back to the engine's memory. */
  release(): void {
    this.settle();
    this.released = true;
    this.queues.in.release();
    this.queues.out.release();
  }

  /** Bytes of each direction that went (evicted, or never kept). */
  get notKept(): { readonly in: number; readonly out: number } {
    this.settle();
    return this.dropped;
  }

  /** `notKept` as snapshots carry it: with `memoryFull` when the engine's traffic memory kept this log small. */
  notKeptSnapshot(): NotKept {
    const { in: i, out: o } = this.notKept;
    return this.queues.in.limited || this.queues.out.limited ? { in: i, out: o, memoryFull: true } : { in: i, out: o };
  }

  /**
   * Keeps a copy of `bytes` (the caller's buffer is not retained). The returned chunk's bytes are
   * a view into the ring: read them now; once evicted they may be overwritten.
   */
  append(dir: Direction, bytes: Uint8Array, ts: number, peer: SockAddr | null = null): StoredChunk {
    this.settle();
    const chunk: StoredChunk = { seq: this.nextSeq++, ts, dir, bytes, peer };
    this.tap?.(chunk);
    const kept = this.store(chunk);
    // The returned chunk shows what the ring kept (its newest bytes, if it could not hold them all).
    chunk.bytes = kept ? this.queues[dir].newestBytes() : EMPTY;
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

  /** Copies the chunk into its direction's ring; false when nothing of it is kept (a forgotten log). */
  private store(chunk: StoredChunk): boolean {
    const dir = chunk.dir;
    if (this.released) {
      this.dropped[dir] += chunk.bytes.length;
      return false;
    }
    // A chunk larger than the arena (the budget, or what the engine's memory allowed) keeps its newest bytes only.
    // (Stored first: `store` counts what it evicts into `dropped` itself.)
    const cut = this.queues[dir].store(chunk.seq, chunk.ts, chunk.bytes, chunk.peer, this.evicted[dir]);
    this.dropped[dir] += cut;
    return true;
  }

  get size(): number {
    this.settle();
    return this.queues.in.length + this.queues.out.length;
  }

  get firstKeptSeq(): number {
    this.settle();
    const a = this.queues.in.length > 0 ? this.queues.in.seqAt(0) : this.nextSeq;
    const b = this.queues.out.length > 0 ? this.queues.out.seqAt(0) : this.nextSeq;
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
      let next: StoredChunk;
      if (i >= 0 && (o < 0 || this.queues.in.seqAt(i) > this.queues.out.seqAt(o))) {
        next = this.queues.in.at(i);
        i--;
      } else {
        next = this.queues.out.at(o);
        o--;
      }
      bytes += next.bytes.length;
      if (bytes > maxBytes && out.length > 0) break;
      out.push(next);
    }
    return out.reverse();
  }
}
