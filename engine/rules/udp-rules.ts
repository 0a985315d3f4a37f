/**
 * Rules for a UDP endpoint: each datagram is one frame (with `line` or a delimiter, one trailing
 * line ending or delimiter is dropped before matching, as `echo PING | socat - UDP:…` sends one),
 * and the reply goes back to the datagram's sender. Replies share the endpoint's send-queue bound
 * (the caller's `send` drops rather than queues); delayed replies are capped in number.
 */
import type { RuleSet } from '../../shared/rules';
import { engineMatchBudget, type MatchBudget } from './match-budget';
import { expandReply } from './reply-template';
import { RuleBook } from './rule-book';

/** Delayed replies waiting at once; past this a datagram whose rule has a delay is not answered. */
export const UDP_DELAYED_REPLIES = 1024;

export type UdpRuleAnswer =
  | { kind: 'reply'; bytes: Uint8Array; delayMs: number }
  | { kind: 'none' }
  /** Not answered, and why (the timeline counts these). */
  | { kind: 'skipped'; why: string };

export class UdpRules {
  private replies = 0;
  private delayed = 0;

  constructor(
    readonly book: RuleBook,
    private readonly budget: MatchBudget = engineMatchBudget,
    private readonly wallNow: () => number = () => Date.now(),
  ) {}

  static compile(rules: RuleSet, onHit: () => void): UdpRules {
    return new UdpRules(RuleBook.compile(rules, { udp: true, onHit }));
  }

  answer(datagram: Buffer): UdpRuleAnswer {
    if (this.book.hasRegex && this.budget.waitMs() > 0) return { kind: 'skipped', why: 'regex match budget spent for this second' };
    const outcome = this.book.decide(this.frameOf(datagram), this.budget);
    if (!outcome.template) return { kind: 'none' };
    this.replies++;
    const r = expandReply(outcome.template, (g) => outcome.captures.group(g), { counter: this.replies, now: this.wallNow() });
    if ('error' in r) return { kind: 'skipped', why: r.error };
    const delayMs = outcome.rule?.delayMs ?? 0;
    if (delayMs > 0 && this.delayed >= UDP_DELAYED_REPLIES) return { kind: 'skipped', why: `${UDP_DELAYED_REPLIES} delayed replies already waiting` };
    return { kind: 'reply', bytes: r.bytes, delayMs };
  }

  /** Book-keeping for the cap on delayed replies: call when one is scheduled, and when it ran or was dropped. */
  delayStarted(): void {
    this.delayed++;
  }

  delayEnded(): void {
    this.delayed = Math.max(0, this.delayed - 1);
  }

  private frameOf(d: Buffer): Buffer {
    const f = this.book.framing;
    if (f.kind === 'line') {
      if (d.length > 0 && d[d.length - 1] === 0x0a) return d.subarray(0, d.length - (d.length > 1 && d[d.length - 2] === 0x0d ? 2 : 1));
      return d;
    }
    if (f.kind === 'delimiter' && d.length >= f.bytes.length && d.subarray(d.length - f.bytes.length).equals(f.bytes)) {
      return d.subarray(0, d.length - f.bytes.length);
    }
    return d;
  }
}
