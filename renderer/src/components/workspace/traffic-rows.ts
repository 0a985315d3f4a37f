/**
 * The Traffic log's rows, built from the chunks the renderer holds: one per chunk (or datagram),
 * its hex dump, or the byte stream reassembled into lines per direction. Where bytes are missing
 * — a chunk whose preview was cut, chunks the engine did not send live, history it did not keep —
 * a gap row says so at that place, and a line is never joined across the gap nor finished with a
 * made-up "(no newline yet)" tail. Pure apart from caches keyed by immutable chunk objects.
 */
import { hexDumpLines, visibleSegments, type TextDecoding, type VisibleSegment } from '../../../../shared/bytes';
import type { TrafficChunk } from '../../../../shared/endpoints';
import type { SockAddr } from '../../../../shared/primitives';
import { chunkBytes } from '../../lib/chunk-bytes';
import { formatBytes } from '../../lib/format';
import type { TrafficViewMode } from '../../store/ui-slice';

export interface DataRow {
  kind: 'data';
  key: string;
  dir: 'in' | 'out';
  ts: number;
  /** Bytes on the wire this row stands for (a chunk's whole size, a line's length). */
  size: number;
  /** What the row draws: one line (chunks, lines), cut to what fits on screen, or the hex dump's lines. */
  segments: VisibleSegment[];
  /** The row's whole text (its preview): what search and the text view read. */
  text: string;
  /** The bytes behind the row as far as the renderer has them (a chunk's preview or fetched whole, a line's start). */
  bytes: Uint8Array;
  /** Rows of text the row takes (hex dumps take several). */
  lineCount: number;
  /** The chunk's sequence number (-1 for a line). */
  seq: number;
  /** A chunk whose row shows fewer bytes than it carried ("show all" fetches the rest). */
  truncated: boolean;
  peer: SockAddr | null;
  /** A line ended by a gap rather than by a newline. */
  cut: boolean;
  /** The bytes of a direction after its last newline: still arriving. */
  tail: boolean;
}

export interface GapRow {
  kind: 'gap';
  key: string;
  /** Chunks missing between two shown ones (not sent live, or older than the view). */
  chunks: number;
  /** Bytes missing inside chunks whose previews were cut. */
  bytes: number;
  text: string;
}

export type LogRow = DataRow | GapRow;

/** A row shows at most this many bytes until "show all": laying out 16 KiB per row at line rate was most of the renderer's work. */
export const ROW_PREVIEW_BYTES = 1024;
/** A line longer than this shows its start; the line's size says how long it is. */
const LINE_DISPLAY_BYTES = 4096;
/** The Lines view keeps at most this many lines; older ones go as new ones come. */
export const MAX_LINE_ROWS = 5000;

/**
 * A one-line row draws at most this many characters: no screen shows more in one line, and laying
 * out a whole 1 KiB preview (dozens of control-character labels) per row was most of a frame.
 */
export const ROW_DRAWN_CHARS = 240;

/** The first `max` characters of `segments` (the rest is past the row's right edge). */
export function clipSegments(segments: VisibleSegment[], max = ROW_DRAWN_CHARS): VisibleSegment[] {
  let n = 0;
  const out: VisibleSegment[] = [];
  for (const s of segments) {
    if (n + s.text.length <= max) {
      out.push(s);
      n += s.text.length;
      continue;
    }
    if (max - n > 0) out.push({ kind: s.kind, text: s.text.slice(0, max - n) });
    out.push({ kind: 'text', text: '…' });
    return out;
  }
  return out;
}

/** `3 chunks not shown live`, `12.0 KiB not shown live`, or both. */
export function gapText(chunks: number, bytes: number): string {
  const parts: string[] = [];
  if (chunks > 0) parts.push(`${chunks} ${chunks === 1 ? 'chunk' : 'chunks'}`);
  if (bytes > 0) parts.push(formatBytes(bytes));
  return `${parts.join(' and ')} not shown live`;
}

function gapRow(key: string, chunks: number, bytes: number): GapRow {
  return { kind: 'gap', key, chunks, bytes, text: gapText(chunks, bytes) };
}

/** Segments on one line: a line feed's picture stays, its real newline goes. */
function oneLine(segments: VisibleSegment[]): VisibleSegment[] {
  return segments.map((s) => (s.kind === 'control' && s.text.includes('\n') ? { kind: s.kind, text: s.text.replace(/\n/g, '') } : s));
}

const joinText = (segments: readonly VisibleSegment[]) => segments.map((s) => s.text).join('');

const rowCache = new WeakMap<TrafficChunk, { view: string; row: DataRow }>();

function chunkRow(c: TrafficChunk, mode: 'chunks' | 'hex', decoding: TextDecoding, full: Uint8Array | undefined): DataRow {
  const view = `${mode}:${decoding}:${full ? 'full' : 'preview'}`;
  const cached = rowCache.get(c);
  if (cached?.view === view) return cached.row;
  const preview = full ?? chunkBytes(c);
  const bytes = full ? preview : preview.subarray(0, ROW_PREVIEW_BYTES);
  let segments: VisibleSegment[];
  let lineCount = 1;
  if (mode === 'hex') {
    const lines = hexDumpLines(bytes);
    // The dump goes under the row's direction, time and size, across the log's whole width: 16
    // bytes a line then fit beside the side panel at 1280 px.
    lineCount = 1 + Math.max(1, lines.length);
    segments = [{ kind: 'text', text: lines.join('\n') }];
  } else {
    segments = oneLine(visibleSegments(bytes, decoding));
  }
  const text = joinText(segments);
  if (mode !== 'hex') segments = clipSegments(segments);
  const row: DataRow = {
    kind: 'data',
    key: `c${c.seq}`,
    dir: c.dir,
    ts: c.ts,
    size: c.size,
    segments,
    text,
    bytes: preview,
    lineCount,
    seq: c.seq,
    truncated: !full && (c.truncated || bytes.length < preview.length),
    peer: c.peer,
    cut: false,
    tail: false,
  };
  rowCache.set(c, { view, row });
  return row;
}

/**
 * Chunks (or their hex dumps), with a gap row wherever sequence numbers jump: the chunks in
 * between were not sent live. `startSeq` is the first sequence number the view expects (after a
 * `Clear view`, the one after the last cleared); chunks before it are left out.
 */
export function chunkRows(
  chunks: readonly TrafficChunk[],
  mode: 'chunks' | 'hex',
  decoding: TextDecoding,
  full: Readonly<Record<number, Uint8Array>>,
  startSeq = 0,
): LogRow[] {
  const rows: LogRow[] = [];
  let expected = startSeq;
  let first = true;
  for (const c of chunks) {
    if (c.seq < startSeq) continue;
    // The first chunk's predecessors are older than the view (the renderer keeps a bounded list): no gap row.
    if (!first && c.seq > expected) rows.push(gapRow(`g${expected}`, c.seq - expected, 0));
    first = false;
    rows.push(chunkRow(c, mode, decoding, full[c.seq]));
    expected = c.seq + 1;
  }
  return rows;
}

/**
 * TCP is a byte stream: lines are reassembled per direction whatever chunks carried them, listed
 * in the order they completed. Incremental: `feed` takes the chunk list again (with new chunks at
 * its end) and decodes only what is new, so a batch costs its own bytes, not the history's.
 */
export class LineAssembler {
  private rows: LogRow[] = [];
  private readonly pending: Record<'in' | 'out', { parts: Uint8Array[]; bytes: number; ts: number }> = {
    in: { parts: [], bytes: 0, ts: 0 },
    out: { parts: [], bytes: 0, ts: 0 },
  };
  /** Per direction: the partial line began right after a gap, so it is not a line "with no newline yet". */
  private readonly headless = { in: false, out: false };
  private lastSeq: number;
  private expectedNext = 0;
  private started = false;
  private n = 0;
  private output: LogRow[] = [];

  constructor(
    private readonly decoding: TextDecoding,
    private readonly startSeq = 0,
  ) {
    this.lastSeq = startSeq - 1;
  }

  /**
   * The rows for `chunks` (a later version of the list fed before); the same array while nothing
   * changed. `expectedNext` is the conversation's chunk count so far: when it is ahead of the last
   * chunk held, the newest chunks were not sent live, and the partial lines are shown cut.
   */
  feed(chunks: readonly TrafficChunk[], expectedNext = 0): LogRow[] {
    let changed = expectedNext !== this.expectedNext;
    this.expectedNext = expectedNext;
    for (const c of chunks) {
      if (c.seq <= this.lastSeq || c.seq < this.startSeq) continue;
      changed = true;
      if (this.started && c.seq > this.lastSeq + 1) this.gap(c.seq - this.lastSeq - 1, 0);
      this.started = true;
      this.lastSeq = c.seq;
      const bytes = chunkBytes(c);
      this.take(c.dir, bytes, c.ts);
      if (c.truncated || bytes.length < c.size) {
        // The preview stops short of the chunk's end: what follows in this direction is unknown.
        this.cut(c.dir);
        this.gap(0, c.size - bytes.length);
      }
    }
    if (changed) {
      if (this.rows.length > MAX_LINE_ROWS) this.rows = this.rows.slice(this.rows.length - MAX_LINE_ROWS);
      const missing = this.started ? expectedNext - this.lastSeq - 1 : 0;
      // Missing chunks at the end are known only from the counters; once a later chunk comes, feed() records the gap for good.
      this.output = missing > 0 ? [...this.rows, ...this.tails(true), gapRow('g-end', missing, 0)] : [...this.rows, ...this.tails(false)];
    }
    return this.output;
  }

  private take(dir: 'in' | 'out', bytes: Uint8Array, ts: number): void {
    const p = this.pending[dir];
    let from = 0;
    for (let nl = bytes.indexOf(0x0a, from); nl >= 0; nl = bytes.indexOf(0x0a, from)) {
      p.parts.push(bytes.subarray(from, nl + 1));
      p.bytes += nl + 1 - from;
      this.emit(dir, ts, false);
      this.headless[dir] = false;
      from = nl + 1;
    }
    if (from < bytes.length) {
      if (p.bytes === 0) p.ts = ts;
      p.parts.push(bytes.subarray(from));
      p.bytes += bytes.length - from;
    }
  }

  /** Ends the direction's partial line at a gap: it is shown as cut, never joined with what follows. */
  private cut(dir: 'in' | 'out'): void {
    if (this.pending[dir].bytes > 0) this.emit(dir, this.pending[dir].ts, true);
    // What comes next in this direction continues a line whose start is missing.
    this.headless[dir] = true;
  }

  private gap(chunks: number, bytes: number): void {
    // Missing chunks could have been either direction's: both partial lines end here.
    if (chunks > 0) {
      this.cut('in');
      this.cut('out');
    }
    const last = this.rows.at(-1);
    if (last?.kind === 'gap') {
      this.rows[this.rows.length - 1] = gapRow(last.key, last.chunks + chunks, last.bytes + bytes);
    } else {
      this.rows.push(gapRow(`g${this.n++}`, chunks, bytes));
    }
  }

  private emit(dir: 'in' | 'out', ts: number, cut: boolean): void {
    const p = this.pending[dir];
    this.rows.push(this.lineRow(`l${this.n++}`, dir, ts, p.parts, p.bytes, cut, false));
    p.parts = [];
    p.bytes = 0;
    p.ts = 0;
  }

  private lineRow(key: string, dir: 'in' | 'out', ts: number, parts: Uint8Array[], size: number, cut: boolean, tail: boolean): DataRow {
    const shown = new Uint8Array(Math.min(size, LINE_DISPLAY_BYTES));
    let o = 0;
    for (const part of parts) {
      if (o >= shown.length) break;
      const take = part.subarray(0, shown.length - o);
      shown.set(take, o);
      o += take.length;
    }
    const segments = oneLine(visibleSegments(shown, this.decoding));
    return { kind: 'data', key, dir, ts, size, segments: clipSegments(segments), text: joinText(segments), bytes: shown, lineCount: 1, seq: -1, truncated: size > shown.length, peer: null, cut, tail };
  }

  /** Each direction's bytes after its last newline: "(no newline yet)", or cut when chunks after them are missing. */
  private tails(cut: boolean): DataRow[] {
    const out: DataRow[] = [];
    for (const dir of ['in', 'out'] as const) {
      const p = this.pending[dir];
      const unsure = cut || this.headless[dir];
      if (p.bytes > 0) out.push(this.lineRow(`${dir}-tail`, dir, p.ts, p.parts, p.bytes, unsure, !unsure));
    }
    return out;
  }
}

/** Rows for one view of the chunks; `lines` needs the caller's assembler (it is incremental). */
export function rowsFor(
  mode: TrafficViewMode,
  chunks: readonly TrafficChunk[],
  decoding: TextDecoding,
  full: Readonly<Record<number, Uint8Array>>,
  startSeq: number,
  assembler: LineAssembler | null,
  expectedNext = 0,
): LogRow[] {
  if (mode === 'lines' && assembler) return assembler.feed(chunks, expectedNext);
  return chunkRows(chunks, mode === 'hex' ? 'hex' : 'chunks', decoding, full, startSeq);
}

/** Rows of one direction (gaps stay: they are where the other rows are not). */
export function filterDirection(rows: readonly LogRow[], dir: 'both' | 'in' | 'out'): readonly LogRow[] {
  if (dir === 'both') return rows;
  return rows.filter((r) => r.kind === 'gap' || r.dir === dir);
}
