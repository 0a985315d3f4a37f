import { describe, expect, it } from 'vitest';
import { draftOf, newRow, ruleSetOf, sameRuleSet } from './rules-draft';

describe('rules editor rows ↔ rule set', () => {
  it('sends only complete rows, in order, and maps them back to their rows', () => {
    const d = draftOf(undefined);
    const a = { ...newRow(), matchType: 'exact' as const, match: 'PING', reply: '+PONG\\r\\n' };
    const empty = newRow();
    const b = { ...newRow(), matchType: 'regex' as const, match: '^GET (\\S+)', reply: '$1', delay: '250', after: 'close' as const };
    const r = ruleSetOf({ ...d, rows: [a, empty, b], defaultReply: '?' });
    expect(r).toEqual({
      ok: true,
      set: {
        frame: 'line',
        rules: [
          { match: { exact: 'PING' }, reply: '+PONG\\r\\n' },
          { match: { regex: '^GET (\\S+)' }, reply: '$1', delayMs: 250, close: true },
        ],
        defaultReply: '?',
      },
      sentKeys: [a.key, b.key],
    });
    if (!r.ok) return;
    // The engine's copy (keys in another order, defaults filled) is the same set: rows are kept.
    const back = { defaultReply: '?', rules: r.set.rules.map((x) => ({ reply: x.reply, ...x })), frame: 'line' as const };
    expect(sameRuleSet(back, r.set)).toBe(true);
    expect(draftOf(back).rows.map((x) => [x.matchType, x.match, x.delay, x.after])).toEqual([
      ['exact', 'PING', '', 'none'],
      ['regex', '^GET (\\S+)', '250', 'close'],
    ]);
  });

  it('refuses a bad delay at its row and a frame without its argument', () => {
    const row = { ...newRow(), match: 'x', delay: 'soon' };
    expect(ruleSetOf({ ...draftOf(undefined), rows: [row] })).toEqual({ ok: false, rowKey: row.key, message: 'A delay is 0 to 60000 ms.' });
    expect(ruleSetOf({ ...draftOf(undefined), frame: 'delimiter', frameArg: '' })).toMatchObject({ ok: false, rowKey: null });
    expect(ruleSetOf({ ...draftOf(undefined), frame: 'size', frameArg: '16' })).toMatchObject({ ok: true, set: { frame: { size: 16 } } });
  });
});
