/**
 * What a listener does with each client, switchable live: manual (nothing), echo, auto-reply (per
 * chunk or per line, optionally closing after the first reply — the whois pattern: read one line,
 * answer, close), discard, and a banner sent as soon as a client is accepted. Every mode but manual
 * closes its side once the peer has closed its own (FIN), as classic inetd services do.
 */
import type { Behaviour } from '../../shared/endpoints';
import type { ExecInfo } from '../../shared/exec';
import { LIMITS } from '../../shared/primitives';
import { RULE_LIMITS } from '../../shared/rules';
import { CommandError } from '../command-error';
import type { RuleBook } from '../rules/rule-book';
import { RuleStream, type RuleStep } from '../rules/rule-stream';

function decodePayload(data: string, path: string): Buffer {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > LIMITS.messageBytes) {
    throw new CommandError('VALIDATION', `${path} is at most ${LIMITS.messageBytes} bytes`, [{ path, message: 'too large' }]);
  }
  return bytes;
}

export const DEFAULT_BEHAVIOUR: Behaviour = { mode: 'manual' };

/** Validated once at the boundary so per-chunk work never decodes base64. */
export interface CompiledBehaviour {
  readonly source: Behaviour;
  readonly mode: Behaviour['mode'];
  readonly reply: Buffer;
  readonly trigger: 'chunk' | 'line';
  readonly closeAfterReply: boolean;
  readonly banner: Buffer | null;
}

export function compileBehaviour(b: Behaviour | undefined): CompiledBehaviour {
  const source: Behaviour = b ? { ...b } : { ...DEFAULT_BEHAVIOUR };
  const reply = source.reply !== undefined ? decodePayload(source.reply, 'behaviour.reply') : Buffer.alloc(0);
  if (source.mode === 'auto-reply' && source.reply === undefined) {
    throw new CommandError('VALIDATION', 'auto-reply needs a reply', [{ path: 'behaviour.reply', message: 'required for auto-reply' }]);
  }
  const banner = source.banner !== undefined && source.banner !== '' ? decodePayload(source.banner, 'behaviour.banner') : null;
  return {
    source,
    mode: source.mode,
    reply,
    trigger: source.trigger ?? 'chunk',
    closeAfterReply: source.closeAfterReply ?? false,
    banner,
  };
}

/** What a behaviour may do to its conversation. */
export interface BehaviourActions {
  /** Sends engine-made bytes (only called while `writable()`, or for echo, one chunk past it). */
  send(bytes: Uint8Array): void;
  /** Graceful close: shutdown(SHUT_WR). */
  shutdown(): void;
  /** The socket's queue is below its high-water mark: more may be sent now. */
  writable(): boolean;
  /** Stop reading (the peer's further bytes wait in the kernel: TCP flow control) / read again. */
  pauseReading(): void;
  resumeReading(): void;
  /** Abort with RST (a rule's `abort`). Rules need this and the two below; plain behaviours do not. */
  reset?(): void;
  /** Runs `fn` after `ms` unless the conversation has closed by then (a rule's delay, the match budget). */
  schedule?(ms: number, fn: () => void): void;
  /** A line for the socket-call timeline (a rule's reply that could not be sent, a process's exit). */
  timeline?(call: string, result: string, ok: boolean): void;
  /** Something in the conversation's snapshot changed (an exec process's state). */
  changed?(): void;
}

/**
 * What serves one accepted conversation: the BehaviourRunner below, or another server such as
 * an exec process (engine/exec/). The conversation calls these; `closed` once its socket is gone.
 */
export interface ConversationServer {
  accepted(actions: BehaviourActions): void;
  received(data: Uint8Array, actions: BehaviourActions): void;
  peerEnded(actions: BehaviourActions): void;
  drained(actions: BehaviourActions): void;
  closed?(): void;
  /** The exec process's state for the conversation's snapshot (exec servers only). */
  execInfo?(): ExecInfo;
}

/**
 * Replies owed to a fast sender are sent in batches of about this many bytes, one write and one
 * traffic chunk each, rather than one write per line (8 MiB of newlines were 8 million writes).
 */
export const REPLY_BATCH_BYTES = 64 * 1024;

/**
 * Per-conversation state of the server behaviour (the line trigger spans chunks). Output obeys the
 * same bound as a person's sends, by flow control rather than refusal: when the peer does not read
 * what we send, we stop reading what it sends, and what is still owed is a count, never a queue of
 * bytes. So a peer that never reads costs at most one batch beyond Node's high-water mark.
 */
export class BehaviourRunner implements ConversationServer {
  private done = false;
  /** Auto-replies owed (one per line or chunk received) and not yet sent. */
  private owed = 0;
  private paused = false;
  /** Rules: the frames not yet answered, and whether a delay or the match budget holds them. */
  private readonly stream = new RuleStream();
  private waiting = false;
  private peerFinished = false;

  constructor(
    private readonly current: () => CompiledBehaviour,
    /** The endpoint's rules; while a rule set is active it answers instead of the behaviour mode. */
    private readonly rules: () => RuleBook | null = () => null,
  ) {}

  /** Called once, right after accept. */
  accepted(actions: BehaviourActions): void {
    const b = this.current();
    if (b.banner && b.banner.length > 0) actions.send(b.banner);
  }

  /**
   * The peer sent FIN. Automatic servers then close their side too, as `cat` behind an echo
   * service does; in manual mode closing is the person's decision. Replies still owed go first.
   */
  peerEnded(actions: BehaviourActions): void {
    this.peerFinished = true;
    if (this.rulesActive()) {
      // The last bytes before FIN are a frame too (`printf hello | ncat`); then close our side.
      this.pumpRules(actions);
      return;
    }
    if (this.current().mode === 'manual' || this.done) return;
    this.done = true;
    if (this.owed === 0) actions.shutdown();
  }

  received(data: Uint8Array, actions: BehaviourActions): void {
    const b = this.current();
    if (this.done) return;
    if (this.rulesActive()) {
      this.stream.push(data);
      this.pumpRules(actions);
      return;
    }
    switch (b.mode) {
      case 'manual':
      case 'discard':
        return;
      case 'echo':
        // A stream must be echoed whole: this chunk goes, and reading waits if the peer lags.
        actions.send(data);
        this.holdBackIfFull(actions);
        return;
      case 'auto-reply':
        this.owed += b.trigger === 'line' ? countLineEnds(data) : 1;
        this.pump(actions);
        return;
    }
  }

  /** Node's write queue drained: send what is owed, then read again. */
  drained(actions: BehaviourActions): void {
    if (this.rulesActive()) {
      this.pumpRules(actions);
      return;
    }
    this.pump(actions);
    if (this.paused && this.owed === 0 && actions.writable()) {
      this.paused = false;
      actions.resumeReading();
    }
  }

  private pump(actions: BehaviourActions): void {
    const b = this.current();
    if (b.mode !== 'auto-reply') {
      this.owed = 0;
      return;
    }
    if (b.closeAfterReply && this.owed > 0) {
      this.owed = 0;
      if (b.reply.length > 0) actions.send(b.reply);
      this.done = true;
      actions.shutdown();
      return;
    }
    if (b.reply.length === 0) this.owed = 0;
    const perBatch = Math.max(1, Math.floor(REPLY_BATCH_BYTES / Math.max(1, b.reply.length)));
    while (this.owed > 0 && actions.writable()) {
      const n = Math.min(this.owed, perBatch);
      this.owed -= n;
      actions.send(n === 1 ? b.reply : repeatBytes(b.reply, n));
    }
    if (this.owed > 0) this.holdBackIfFull(actions);
    else if (this.done) actions.shutdown();
  }

  private rulesActive(): boolean {
    return this.rules()?.active === true;
  }

  /**
   * The rules' counterpart of pump(): the same bound, with frames in place of a count. Replies go
   * in batches of up to REPLY_BATCH_BYTES while the socket is writable; reading pauses while the
   * peer does not read, or once a frame's worth of input waits (behind a delay, the match budget or
   * a slow reader) — so input is never queued past RULE_LIMITS.frameBytes plus one read.
   */
  private pumpRules(actions: BehaviourActions): void {
    const book = this.rules();
    const schedule = actions.schedule;
    if (!book || !schedule || this.waiting || this.done) return;
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    const flush = () => {
      if (batchBytes > 0) actions.send(batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch));
      batch = [];
      batchBytes = 0;
    };
    while (!this.done && actions.writable()) {
      const step = this.stream.next(book, this.peerFinished);
      if (step === null) break;
      if ('waitMs' in step) {
        this.hold(step.waitMs, actions, schedule, null);
        break;
      }
      if (step.note) actions.timeline?.('rules', step.note, false);
      if (step.delayMs > 0) {
        flush();
        this.hold(step.delayMs, actions, schedule, step);
        break;
      }
      if (step.after !== 'none') {
        flush();
        this.finish(step, actions);
        break;
      }
      if (step.bytes) {
        batch.push(step.bytes);
        batchBytes += step.bytes.length;
        if (batchBytes >= REPLY_BATCH_BYTES) flush();
      }
    }
    flush();
    this.settleRulesReading(actions);
    if (!this.done && !this.waiting && this.peerFinished && this.stream.bufferedBytes === 0) {
      this.done = true;
      actions.shutdown();
    }
  }

  /** Waits `ms` (a rule's delay, or for the match budget), then sends `step` if any and carries on. */
  private hold(ms: number, actions: BehaviourActions, schedule: NonNullable<BehaviourActions['schedule']>, step: RuleStep | null): void {
    this.waiting = true;
    this.settleRulesReading(actions);
    schedule(ms, () => {
      this.waiting = false;
      if (step) this.finish(step, actions);
      this.pumpRules(actions);
    });
  }

  private finish(step: RuleStep, actions: BehaviourActions): void {
    if (this.done) return;
    if (step.bytes) actions.send(step.bytes);
    if (step.after === 'none') return;
    this.done = true;
    if (step.after === 'abort' && actions.reset) actions.reset();
    else actions.shutdown();
  }

  private settleRulesReading(actions: BehaviourActions): void {
    const hold = !this.done && (!actions.writable() || this.stream.bufferedBytes >= RULE_LIMITS.frameBytes);
    if (hold && !this.paused) {
      this.paused = true;
      actions.pauseReading();
    } else if (!hold && this.paused) {
      this.paused = false;
      actions.resumeReading();
    }
  }

  private holdBackIfFull(actions: BehaviourActions): void {
    if (!this.paused && !actions.writable()) {
      this.paused = true;
      actions.pauseReading();
    }
  }
}

function repeatBytes(bytes: Buffer, times: number): Buffer {
  const out = Buffer.allocUnsafe(bytes.length * times);
  for (let i = 0; i < times; i++) bytes.copy(out, i * bytes.length);
  return out;
}

function countLineEnds(data: Uint8Array): number {
  let n = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
}
