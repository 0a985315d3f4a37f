/**
 * What a listener does with each client, switchable live: manual (nothing), echo, auto-reply (per
 * chunk or per line, optionally closing after the first reply — the whois pattern: read one line,
 * answer, close), discard, and a banner sent as soon as a client is accepted. Every mode but manual
 * closes its side once the peer has closed its own (FIN), as classic inetd services do.
 */
import type { Behaviour } from '../../shared/endpoints';
import { LIMITS } from '../../shared/primitives';
import { CommandError } from '../command-error';

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
export class BehaviourRunner {
  private done = false;
  /** Auto-replies owed (one per line or chunk received) and not yet sent. */
  private owed = 0;
  private paused = false;

  constructor(private readonly current: () => CompiledBehaviour) {}

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
    if (this.current().mode === 'manual' || this.done) return;
    this.done = true;
    if (this.owed === 0) actions.shutdown();
  }

  received(data: Uint8Array, actions: BehaviourActions): void {
    const b = this.current();
    if (this.done) return;
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
