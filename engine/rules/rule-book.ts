/**
 * A rule set compiled once at the boundary (regexes built, needles and replies checked), with its
 * hit counters. A listener or UDP endpoint holds one RuleBook and swaps it whole when the rules
 * change, so a frame is always matched against one consistent set and the counters restart.
 *
 * Regexes run on RE2 (re2js), chosen over a worker thread with a deadline: RE2 guarantees time
 * linear in the input for every pattern, so `(a+)+$` cannot backtrack, matching stays synchronous
 * (no reordering of replies, no thread to restart), and the syntax that could be catastrophic
 * (backreferences, lookaround) is refused at compile time with RE2's own message. What remains —
 * linear but slow in pure JS — is bounded by RULE_LIMITS.regexFrameBytes per match and by the
 * engine-wide MatchBudget.
 */
import { RE2JS } from 're2js';
import { parseEscapedText } from '../../shared/bytes';
import { RULE_LIMITS, ruleSetActive, type Rule, type RuleFrame, type RuleHits, type RuleSet } from '../../shared/rules';
import { CommandError } from '../command-error';
import { engineMatchBudget, type MatchBudget } from './match-budget';
import { compileReplyTemplate, type CaptureNames, type ReplyTemplate } from './reply-template';

const refuse = (path: string, message: string) => new CommandError('VALIDATION', `${path}: ${message}`, [{ path, message }]);

export type Framing = { kind: 'chunk' } | { kind: 'line' } | { kind: 'delimiter'; bytes: Buffer } | { kind: 'size'; size: number };

interface CompiledMatch {
  /** The captures of a match (`$0` is the whole frame or the regex's whole match), or null. */
  test(frame: Buffer, budget: MatchBudget): MatchResult | null | 'too-long';
}

export interface MatchResult {
  group(g: number | string): Uint8Array;
}

export interface CompiledRule {
  readonly index: number;
  readonly isRegex: boolean;
  readonly match: CompiledMatch;
  readonly reply: ReplyTemplate;
  readonly delayMs: number;
  readonly after: 'none' | 'close' | 'abort';
}

export interface RuleOutcome {
  /** The rule that matched (its index), 'default', or null when nothing answers this frame. */
  readonly by: number | 'default' | null;
  readonly rule: CompiledRule | null;
  readonly template: ReplyTemplate | null;
  readonly captures: MatchResult;
  /** Regex rules passed over because the frame is longer than they look at. */
  readonly skippedLong: boolean;
}

export class RuleBook {
  readonly active: boolean;
  private readonly hits: number[];
  private defaultHits = 0;

  private constructor(
    readonly source: RuleSet,
    readonly framing: Framing,
    readonly rules: readonly CompiledRule[],
    readonly defaultReply: ReplyTemplate | null,
    private readonly onHit: () => void,
  ) {
    this.active = ruleSetActive(source);
    this.hits = rules.map(() => 0);
  }

  /** Throws CommandError VALIDATION naming the field at fault (`rules.rules[2].match.regex`). */
  static compile(source: RuleSet, opts: { udp?: boolean; onHit?: () => void; path?: string } = {}): RuleBook {
    const path = opts.path ?? 'rules';
    const framing = compileFraming(source.frame, `${path}.frame`);
    const rules = source.rules.map((r, i) => compileRule(r, i, `${path}.rules[${i}]`, opts.udp ?? false));
    let defaultReply: ReplyTemplate | null = null;
    if (source.defaultReply !== undefined) {
      const t = compileReplyTemplate(source.defaultReply, { groups: 0, names: new Set() });
      if ('error' in t) throw refuse(`${path}.defaultReply`, t.error);
      defaultReply = t;
    }
    return new RuleBook(source, framing, rules, defaultReply, opts.onHit ?? (() => {}));
  }

  /** First match wins; then the default reply; regex time is charged to `budget`. */
  decide(frame: Buffer, budget: MatchBudget = engineMatchBudget): RuleOutcome {
    let skippedLong = false;
    for (const rule of this.rules) {
      const m = rule.match.test(frame, budget);
      if (m === 'too-long') {
        skippedLong = true;
        continue;
      }
      if (m) {
        this.hits[rule.index] = (this.hits[rule.index] ?? 0) + 1;
        this.onHit();
        return { by: rule.index, rule, template: rule.reply, captures: m, skippedLong };
      }
    }
    const whole = wholeFrame(frame);
    if (this.defaultReply) {
      this.defaultHits++;
      this.onHit();
      return { by: 'default', rule: null, template: this.defaultReply, captures: whole, skippedLong };
    }
    return { by: null, rule: null, template: null, captures: whole, skippedLong };
  }

  get hasRegex(): boolean {
    return this.rules.some((r) => r.isRegex);
  }

  hitCounts(): RuleHits {
    return { rules: [...this.hits], default: this.defaultHits };
  }
}

function compileFraming(frame: RuleFrame, path: string): Framing {
  if (frame === 'chunk' || frame === 'line') return { kind: frame };
  if ('size' in frame) return { kind: 'size', size: frame.size };
  const parsed = parseEscapedText(frame.delimiter);
  if (!parsed.ok) throw refuse(`${path}.delimiter`, `${parsed.error} (position ${parsed.position})`);
  if (parsed.bytes.length === 0) throw refuse(`${path}.delimiter`, 'a delimiter needs at least one byte');
  return { kind: 'delimiter', bytes: Buffer.from(parsed.bytes) };
}

function compileRule(r: Rule, index: number, path: string, udp: boolean): CompiledRule {
  if (udp && (r.close || r.abort)) throw refuse(`${path}.${r.close ? 'close' : 'abort'}`, 'a UDP endpoint has no connection to close');
  const { match, captures, isRegex } = compileMatch(r, `${path}.match`);
  const reply = compileReplyTemplate(r.reply, captures);
  if ('error' in reply) throw refuse(`${path}.reply`, reply.error);
  return { index, isRegex, match, reply, delayMs: r.delayMs ?? 0, after: r.abort ? 'abort' : r.close ? 'close' : 'none' };
}

function compileMatch(r: Rule, path: string): { match: CompiledMatch; captures: CaptureNames; isRegex: boolean } {
  const noCaptures: CaptureNames = { groups: 0, names: new Set() };
  const m = r.match;
  if ('regex' in m) return compileRegex(m.regex, m.ignoreCase ?? false, `${path}.regex`);
  const text = 'exact' in m ? m.exact : m.contains;
  const parsed = parseEscapedText(text);
  if (!parsed.ok) throw refuse(`${path}.${'exact' in m ? 'exact' : 'contains'}`, `${parsed.error} (position ${parsed.position})`);
  const needle = Buffer.from(parsed.bytes);
  const exact = 'exact' in m;
  return {
    isRegex: false,
    captures: noCaptures,
    match: { test: (frame) => ((exact ? frame.equals(needle) : frame.includes(needle)) ? wholeFrame(frame) : null) },
  };
}

function compileRegex(pattern: string, ignoreCase: boolean, path: string): { match: CompiledMatch; captures: CaptureNames; isRegex: boolean } {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (err) {
    const why = err instanceof Error ? err.message.replace(/^error parsing regexp: /, '') : String(err);
    const hint = /\(\?[=!<]|\\[1-9]/.test(pattern) ? ' — RE2 has no lookaround or backreferences: they are what makes a pattern catastrophic' : '';
    throw refuse(path, `not a valid RE2 regex: ${why}${hint}`);
  }
  const groups = re.groupCount();
  const names = new Set(Object.keys(re.namedGroups()));
  const decoder = new TextDecoder('utf-8');
  const encoder = new TextEncoder();
  return {
    isRegex: true,
    captures: { groups, names },
    match: {
      test(frame, budget) {
        if (frame.length > RULE_LIMITS.regexFrameBytes) return 'too-long';
        const text = decoder.decode(frame);
        const found = budget.run(() => {
          const matcher = re.matcher(text);
          if (!matcher.find()) return null;
          const values = new Map<number | string, string>();
          for (let g = 0; g <= groups; g++) values.set(g, matcher.group(g) ?? '');
          for (const n of names) values.set(n, matcher.group(n) ?? '');
          return values;
        });
        if (!found) return null;
        return { group: (g) => encoder.encode(found.get(g) ?? '') };
      },
    },
  };
}

function wholeFrame(frame: Buffer): MatchResult {
  return { group: (g) => (g === 0 ? frame : new Uint8Array(0)) };
}
