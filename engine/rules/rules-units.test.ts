/** The pure parts of rules: reply templates, framing of a byte stream, the match budget. */
import { describe, expect, it } from 'vitest';
import { RuleBook } from './rule-book';
import { MatchBudget } from './match-budget';
import { compileReplyTemplate, expandReply } from './reply-template';
import { RuleStream } from './rule-stream';

const noCaptures = { groups: 0, names: new Set<string>() };
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('reply templates', () => {
  it('splices captures in as the bytes received, never as escapes or macros', () => {
    const t = compileReplyTemplate('[$1] {$1} $$ \\x41 {{counter}}', { groups: 1, names: new Set() });
    if ('error' in t) throw new Error(t.error);
    const captured = Buffer.from('\\n{{counter}}{x\x00\xff', 'latin1');
    const r = expandReply(t, (g) => (g === 1 ? captured : new Uint8Array()), { counter: 7, now: 0 });
    expect('bytes' in r && text(r.bytes)).toBe(`[\\n{{counter}}{x\x00\xff] {\\n{{counter}}{x\x00\xff} $ A 7`);
  });

  it('refuses a lone $, an unknown name and a bad macro, with the position', () => {
    expect(compileReplyTemplate('cost: 5$', noCaptures)).toEqual({ error: expect.stringMatching(/lone "\$".*position 8/) });
    expect(compileReplyTemplate('$<user>', { groups: 1, names: new Set(['name']) })).toEqual({ error: expect.stringMatching(/\$<user> at position 1 names no capture/) });
    expect(compileReplyTemplate('{{nope}}', noCaptures)).toEqual({ error: expect.stringMatching(/Bad macro at position 1: unknown macro/) });
  });

  it('keeps a fixed reply as bytes, and refuses an expansion past the reply limit', () => {
    const fixed = compileReplyTemplate('ok\\r\\n', noCaptures);
    expect('fixed' in fixed && fixed.fixed && text(fixed.fixed)).toBe('ok\r\n');
    const t = compileReplyTemplate('$0'.repeat(20), noCaptures);
    if ('error' in t) throw new Error(t.error);
    expect(expandReply(t, () => Buffer.alloc(64 * 1024, 0x61), { counter: 1, now: 0 })).toEqual({ error: expect.stringMatching(/over 262144 bytes/) });
  });
});

describe('rule stream framing', () => {
  const book = (frame: 'line' | 'chunk') => RuleBook.compile({ frame, rules: [{ match: { regex: '^(.*)$' }, reply: '<$1>' }] });
  const replies = (s: RuleStream, b: RuleBook, atEnd = false) => {
    const out: string[] = [];
    for (let i = 0; i < 100; i++) {
      const step = s.next(b, atEnd);
      if (step === null || 'waitMs' in step) break;
      if (step.bytes) out.push(text(step.bytes));
    }
    return out;
  };

  it('joins a line sent one byte at a time, strips CRLF, and cuts an overlong line at 64 KiB', () => {
    const b = book('line');
    const s = new RuleStream();
    for (const ch of 'one\r\ntw') s.push(Buffer.from(ch));
    expect(replies(s, b)).toEqual(['<one>']);
    s.push(Buffer.from('o\n'));
    expect(replies(s, b)).toEqual(['<two>']);
    s.push(Buffer.alloc(70_000, 0x62));
    const long = replies(s, b);
    expect(long).toHaveLength(0); // 64 KiB frames are past the regex limit: no rule, no default
    expect(s.bufferedBytes).toBe(70_000 - 64 * 1024);
    // At the end of the stream the rest is a frame, short enough for the regex.
    expect(replies(s, b, true)).toEqual([`<${'b'.repeat(70_000 - 64 * 1024)}>`]);
    expect(s.bufferedBytes).toBe(0);
  });

  it('waits for the match budget instead of matching past it', () => {
    let now = 0;
    const budget = new MatchBudget(() => now, 10);
    const s = new RuleStream(budget);
    const b = book('chunk');
    s.push(Buffer.from('a'));
    budget.run(() => (now += 11));
    expect(s.next(b, false)).toEqual({ waitMs: 989 });
    now = 1000;
    expect(replies(s, b)).toEqual(['<a>']);
  });
});
