import type { Behaviour } from '../../shared/endpoints';
import { CommandError } from '../command-error';
import { compileBehaviour, type CompiledBehaviour } from '../tcp/behaviours';

export type { CompiledBehaviour } from '../tcp/behaviours';

const refuse = (path: string, message: string) => new CommandError('VALIDATION', message, [{ path, message }]);

/**
 * The listener behaviours, for datagrams: manual, echo (each datagram back to its sender),
 * auto-reply (a fixed reply to each datagram), discard. `trigger: line`, `closeAfterReply` and
 * `banner` are TCP ideas — a datagram is always one whole message, and there is no client to greet
 * or close — so they are refused rather than silently ignored.
 */
export function compileUdpBehaviour(b: Behaviour | undefined): CompiledBehaviour {
  const compiled = compileBehaviour(b);
  if (compiled.banner) throw refuse('behaviour.banner', 'a banner greets accepted TCP clients; UDP has none');
  if (compiled.closeAfterReply) throw refuse('behaviour.closeAfterReply', 'a UDP endpoint has no client to close');
  if (compiled.trigger === 'line') throw refuse('behaviour.trigger', 'a UDP behaviour answers each datagram; "line" is for TCP');
  return compiled;
}

/** The datagram to send back to a datagram's sender, or null. */
export function udpReply(b: CompiledBehaviour, datagram: Uint8Array): Uint8Array | null {
  switch (b.mode) {
    case 'echo':
      return datagram;
    case 'auto-reply':
      return b.reply;
    case 'manual':
    case 'discard':
      return null;
  }
}
