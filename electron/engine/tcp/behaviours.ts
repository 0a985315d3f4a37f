/**
 * What a listener does with each client, switchable live: manual (nothing), echo, auto-reply (per
 * chunk or per line, optionally closing after the first reply — the whois pattern: read one line,
 * answer, close), discard, and a banner sent as soon as a client is accepted. Every mode but manual
 * closes its side once the peer has closed its own (FIN), as classic inetd services do.
 */
import type { Behaviour } from '../../../shared/endpoints';
import { LIMITS } from '../../../shared/primitives';
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
  /** Sends engine-made bytes (respecting backpressure). */
  send(bytes: Uint8Array): void;
  /** Graceful close: shutdown(SHUT_WR). */
  shutdown(): void;
}

/** Per-conversation state of the server behaviour (the line trigger spans chunks). */
export class BehaviourRunner {
  private done = false;

  constructor(private readonly current: () => CompiledBehaviour) {}

  /** Called once, right after accept. */
  accepted(actions: BehaviourActions): void {
    const b = this.current();
    if (b.banner && b.banner.length > 0) actions.send(b.banner);
  }

  /**
   * The peer sent FIN. Automatic servers then close their side too, as `cat` behind an echo
   * service does; in manual mode closing is the person's decision.
   */
  peerEnded(actions: BehaviourActions): void {
    if (this.current().mode === 'manual' || this.done) return;
    this.done = true;
    actions.shutdown();
  }

  received(data: Uint8Array, actions: BehaviourActions): void {
    const b = this.current();
    if (this.done) return;
    switch (b.mode) {
      case 'manual':
      case 'discard':
        return;
      case 'echo':
        actions.send(data);
        return;
      case 'auto-reply': {
        const replies = b.trigger === 'line' ? countLineEnds(data) : 1;
        for (let i = 0; i < replies && !this.done; i++) {
          if (b.reply.length > 0) actions.send(b.reply);
          if (b.closeAfterReply) {
            this.done = true;
            actions.shutdown();
          }
        }
        return;
      }
    }
  }
}

function countLineEnds(data: Uint8Array): number {
  let n = 0;
  for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) n++;
  return n;
}
