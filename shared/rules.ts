/**
 * Rules: "when this arrives, reply that" for listeners and UDP endpoints. One schema serves the wire
 * (`tcp:listen`, `listener:configure`, `udp:bind`, `udp:configure`), the session file and rules
 * files a person writes (YAML or JSON, `RulesFile`), so a rule set is checked the same way wherever
 * it comes from. docs/rules.md describes the format for people.
 *
 * Texts: `exact` and `contains` are text with the composer's escapes (`\r`, `\x00`, `\u{…}`); a
 * `regex` is RE2 syntax matched against the frame decoded as UTF-8; a `reply` is text with escapes
 * and macros, plus `$0`…`$9`, `${n}` and `$<name>` for captures (`$$` is a dollar).
 */
import { z } from 'zod';

export const RULE_LIMITS = {
  rules: 200,
  matchChars: 1024,
  replyChars: 64 * 1024,
  /** An expanded reply (captures included) longer than this is not sent, and the timeline says so. */
  replyBytes: 256 * 1024,
  delayMs: 60_000,
  /** A line or delimited frame longer than this is matched as it is when this many bytes have come. */
  frameBytes: 64 * 1024,
  /**
   * Regex rules look at frames up to this size. RE2 matches in linear time, but a pure-JS RE2 runs
   * about 1 MB/s on the worst patterns: 16 KiB keeps one match to roughly 15 ms.
   */
  regexFrameBytes: 16 * 1024,
  delimiterChars: 64,
} as const;

export const RULES_FILE_VERSION = 1;

export const RuleMatch = z.union([
  z.strictObject({ exact: z.string().min(1).max(RULE_LIMITS.matchChars) }),
  z.strictObject({ contains: z.string().min(1).max(RULE_LIMITS.matchChars) }),
  z.strictObject({ regex: z.string().min(1).max(RULE_LIMITS.matchChars), ignoreCase: z.boolean().optional() }),
]);
export type RuleMatch = z.infer<typeof RuleMatch>;
export type MatchType = 'exact' | 'contains' | 'regex';

export function matchTypeOf(m: RuleMatch): MatchType {
  return 'exact' in m ? 'exact' : 'contains' in m ? 'contains' : 'regex';
}

export function matchTextOf(m: RuleMatch): string {
  return 'exact' in m ? m.exact : 'contains' in m ? m.contains : m.regex;
}

export const Rule = z
  .strictObject({
    match: RuleMatch,
    reply: z.string().max(RULE_LIMITS.replyChars, `a reply is at most ${RULE_LIMITS.replyChars} characters`).default(''),
    delayMs: z.number().int().min(0).max(RULE_LIMITS.delayMs).optional(),
    /** Graceful close (FIN) once the reply is sent. */
    close: z.boolean().optional(),
    /** Abort (RST) once the reply is sent. */
    abort: z.boolean().optional(),
  })
  .refine((r) => !(r.close && r.abort), { message: 'choose close (FIN) or abort (RST), not both', path: ['abort'] });
export type Rule = z.infer<typeof Rule>;

/** How a byte stream is cut into the frames rules match. A UDP datagram is always one frame. */
export const RuleFrame = z.union([
  z.enum(['chunk', 'line']),
  z.strictObject({ delimiter: z.string().min(1).max(RULE_LIMITS.delimiterChars) }),
  z.strictObject({ size: z.number().int().min(1).max(RULE_LIMITS.frameBytes) }),
]);
export type RuleFrame = z.infer<typeof RuleFrame>;

export const RuleSet = z.strictObject({
  frame: RuleFrame.default('line'),
  rules: z.array(Rule).max(RULE_LIMITS.rules, `at most ${RULE_LIMITS.rules} rules`).default([]),
  /** Sent when no rule matched; absent = nothing is sent. */
  defaultReply: z.string().max(RULE_LIMITS.replyChars).optional(),
});
export type RuleSet = z.infer<typeof RuleSet>;
export type RuleSetInput = z.input<typeof RuleSet>;

/** A rules file: a rule set with an optional version (this build reads version 1). */
export const RulesFile = RuleSet.extend({ version: z.literal(RULES_FILE_VERSION).optional() });
export type RulesFile = z.infer<typeof RulesFile>;

/** Hits per rule (same order as `rules`) and of the default reply, since the rules last changed. */
export const RuleHits = z.strictObject({ rules: z.array(z.number()), default: z.number() });
export type RuleHits = z.infer<typeof RuleHits>;

/** A rule set with no rule and no default reply leaves the behaviour (echo, auto-reply…) in charge. */
export function ruleSetActive(s: RuleSet | undefined): boolean {
  return s !== undefined && (s.rules.length > 0 || s.defaultReply !== undefined);
}
