/**
 * The rules editor's rows ↔ the engine's RuleSet. Rows keep what a person is typing (a delay as
 * text, a rule whose Match is still empty); only complete rules are sent, and `sentIndex` maps the
 * engine's rule numbers (hit counters, errors) back to rows.
 */
import { matchTextOf, matchTypeOf, type MatchType, type Rule, type RuleFrame, type RuleSet } from '../../../../shared/rules';

export interface RuleRow {
  key: number;
  matchType: MatchType;
  match: string;
  reply: string;
  delay: string;
  after: 'none' | 'close' | 'abort';
}

export type FrameKind = 'line' | 'chunk' | 'delimiter' | 'size';

export interface RulesDraft {
  frame: FrameKind;
  /** The delimiter (text with escapes) or the frame size, as typed. */
  frameArg: string;
  rows: RuleRow[];
  defaultReply: string;
}

let nextKey = 1;
export const newRow = (): RuleRow => ({ key: nextKey++, matchType: 'contains', match: '', reply: '', delay: '', after: 'none' });

export function draftOf(set: RuleSet | undefined): RulesDraft {
  const frame = set?.frame ?? 'line';
  return {
    frame: typeof frame === 'string' ? frame : 'delimiter' in frame ? 'delimiter' : 'size',
    frameArg: typeof frame === 'string' ? '' : 'delimiter' in frame ? frame.delimiter : String(frame.size),
    rows: (set?.rules ?? []).map((r) => ({
      key: nextKey++,
      matchType: matchTypeOf(r.match),
      match: matchTextOf(r.match),
      reply: r.reply,
      delay: r.delayMs ? String(r.delayMs) : '',
      after: r.abort ? 'abort' : r.close ? 'close' : 'none',
    })),
    defaultReply: set?.defaultReply ?? '',
  };
}

export type DraftResult = { ok: true; set: RuleSet; sentKeys: number[] } | { ok: false; rowKey: number | null; message: string };

/** The rule set to send, or the first thing to fix (checked here: numbers; the engine checks the rest). */
export function ruleSetOf(d: RulesDraft): DraftResult {
  let frame: RuleFrame = d.frame === 'line' || d.frame === 'chunk' ? d.frame : 'line';
  if (d.frame === 'delimiter') {
    if (d.frameArg === '') return { ok: false, rowKey: null, message: 'Type a delimiter, e.g. \\r\\n or ;' };
    frame = { delimiter: d.frameArg };
  } else if (d.frame === 'size') {
    const n = Number(d.frameArg);
    if (!Number.isInteger(n) || n < 1 || n > 65536) return { ok: false, rowKey: null, message: 'A frame size is 1 to 65536 bytes.' };
    frame = { size: n };
  }
  const rules: Rule[] = [];
  const sentKeys: number[] = [];
  for (const row of d.rows) {
    if (row.match === '') continue;
    const delayMs = row.delay.trim() === '' ? 0 : Number(row.delay);
    if (!Number.isInteger(delayMs) || delayMs < 0 || delayMs > 60_000) return { ok: false, rowKey: row.key, message: 'A delay is 0 to 60000 ms.' };
    const match = row.matchType === 'exact' ? { exact: row.match } : row.matchType === 'contains' ? { contains: row.match } : { regex: row.match };
    rules.push({
      match,
      reply: row.reply,
      ...(delayMs > 0 ? { delayMs } : {}),
      ...(row.after === 'close' ? { close: true } : row.after === 'abort' ? { abort: true } : {}),
    });
    sentKeys.push(row.key);
  }
  return { ok: true, set: { frame, rules, ...(d.defaultReply !== '' ? { defaultReply: d.defaultReply } : {}) }, sentKeys };
}

/** Key order does not matter: the engine's copy comes back through a schema. */
export function sameRuleSet(a: RuleSet | undefined, b: RuleSet | undefined): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}
