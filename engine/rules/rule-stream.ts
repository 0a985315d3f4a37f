/**
 * One TCP conversation's side of the rules: received bytes cut into frames (chunk, line, delimiter
 * or fixed size) and each frame's reply. It only holds bytes already read; the BehaviourRunner
 * stops reading while this holds a frame's worth or the peer is not reading our replies, so what
 * waits here is bounded by RULE_LIMITS.frameBytes plus one read.
 */
import { RULE_LIMITS } from '../../shared/rules';
import { engineMatchBudget, type MatchBudget } from './match-budget';
import { expandReply } from './reply-template';
import type { Framing, RuleBook } from './rule-book';

const LF = 0x0a;
const CR = 0x0d;

export interface RuleStep {
  /** What to send (null: this frame gets no reply). */
  readonly bytes: Uint8Array | null;
  readonly delayMs: number;
  readonly after: 'none' | 'close' | 'abort';
  /** Something the timeline should say (each kind once per conversation). */
  readonly note: string | null;
}

export class RuleStream {
  private buf: Buffer = Buffer.alloc(0);
  /** The first `scanned` bytes of `buf` hold no delimiter (so a slow sender costs one scan per byte). */
  private scanned = 0;
  private chunks: Buffer[] = [];
  private replies = 0;
  private readonly noted = new Set<string>();

  constructor(
    private readonly budget: MatchBudget = engineMatchBudget,
    private readonly wallNow: () => number = () => Date.now(),
  ) {}

  push(data: Uint8Array): void {
    if (data.length > 0) this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.length));
  }

  get bufferedBytes(): number {
    let n = this.buf.length;
    for (const c of this.chunks) n += c.length;
    return n;
  }

  /**
   * The next frame's step; null when no whole frame is buffered (at the end of the stream every
   * leftover byte is a frame); `{ waitMs }` when regex rules must wait for the match budget.
   */
  next(book: RuleBook, atEnd: boolean): RuleStep | { waitMs: number } | null {
    if (book.hasRegex) {
      const waitMs = this.budget.waitMs();
      if (waitMs > 0 && this.bufferedBytes > 0) return { waitMs };
    }
    const frame = this.takeFrame(book.framing, atEnd);
    if (!frame) return null;
    const outcome = book.decide(frame, this.budget);
    let note = outcome.skippedLong ? this.once('long', `a ${frame.length}-byte frame is longer than regex rules look at (${RULE_LIMITS.regexFrameBytes} bytes)`) : null;
    if (!outcome.template) return { bytes: null, delayMs: 0, after: 'none', note };
    this.replies++;
    const expanded = expandReply(outcome.template, (g) => outcome.captures.group(g), { counter: this.replies, now: this.wallNow() });
    const rule = outcome.rule;
    const who = outcome.by === 'default' ? 'default reply' : `rule ${(outcome.by ?? 0) + 1}`;
    if ('error' in expanded) note = this.once(`reply:${who}`, `${who}: ${expanded.error}, not sent`) ?? note;
    return {
      bytes: 'bytes' in expanded ? expanded.bytes : null,
      delayMs: rule?.delayMs ?? 0,
      after: rule?.after ?? 'none',
      note,
    };
  }

  private once(key: string, text: string): string | null {
    if (this.noted.has(key) || this.noted.size > 32) return null;
    this.noted.add(key);
    return text;
  }

  private takeFrame(f: Framing, atEnd: boolean): Buffer | null {
    if (f.kind === 'chunk') {
      if (this.buf.length > 0) return this.takeAll();
      return this.chunks.shift() ?? null;
    }
    this.gather();
    const buf = this.buf;
    if (buf.length === 0) return null;
    if (f.kind === 'size') {
      if (buf.length >= f.size) return this.cut(f.size, 0);
      return atEnd ? this.takeAll() : null;
    }
    const delimiter = f.kind === 'line' ? LF : f.bytes;
    const width = f.kind === 'line' ? 1 : f.bytes.length;
    const at = buf.indexOf(delimiter, Math.max(0, this.scanned - width + 1));
    if (at >= 0) {
      const strip = f.kind === 'line' && at > 0 && buf[at - 1] === CR ? 1 : 0;
      return this.cut(at, width, strip);
    }
    this.scanned = buf.length;
    if (buf.length >= RULE_LIMITS.frameBytes) return this.cut(RULE_LIMITS.frameBytes, 0);
    return atEnd ? this.takeAll() : null;
  }

  private gather(): void {
    if (this.chunks.length === 0) return;
    this.buf = this.buf.length === 0 && this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat([this.buf, ...this.chunks]);
    this.chunks = [];
  }

  /** The first `length` bytes (less `strip` at their end) as a frame; `skip` more bytes dropped (the delimiter). */
  private cut(length: number, skip: number, strip = 0): Buffer {
    const frame = this.buf.subarray(0, length - strip);
    this.buf = this.buf.subarray(length + skip);
    this.scanned = 0;
    return frame;
  }

  private takeAll(): Buffer {
    this.gather();
    const all = this.buf;
    this.buf = Buffer.alloc(0);
    this.scanned = 0;
    return all;
  }
}
