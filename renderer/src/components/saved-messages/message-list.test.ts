import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEscapedText, parseHex } from '../../../../shared/bytes';
import type { SavedMessage } from '../../../../shared/saved-messages';
import { draftErrors, draftFromBytes, groupMessages, messageSummary, moveWithinGroup, shownOrder } from './message-list';
import { composeForSend } from './send-pipeline';

const msg = (id: string, group = '', name = id): SavedMessage => ({ id, name, group, format: 'text', content: `${id}!`, lineEnding: 'lf' });
const ids = (list: readonly SavedMessage[] | null) => list?.map((m) => m.id) ?? null;

describe('groupMessages / shownOrder', () => {
  it('shows ungrouped messages first, then each group where it first appears', () => {
    const list = [msg('a', 'HTTP'), msg('b'), msg('c', 'Redis'), msg('d', 'HTTP'), msg('e')];
    expect(groupMessages(list).map((g) => [g.name, ids(g.messages)])).toEqual([
      ['', ['b', 'e']],
      ['HTTP', ['a', 'd']],
      ['Redis', ['c']],
    ]);
    expect(ids(shownOrder(list))).toEqual(['b', 'e', 'a', 'd', 'c']);
  });
});

describe('moveWithinGroup', () => {
  const list = [msg('a', 'G'), msg('x'), msg('b', 'G'), msg('c', 'G')];
  it('swaps with the neighbour in the same group, the others keep their places', () => {
    expect(ids(moveWithinGroup(list, 'b', -1))).toEqual(['b', 'x', 'a', 'c']);
    expect(ids(moveWithinGroup(list, 'b', 1))).toEqual(['a', 'x', 'c', 'b']);
  });
  it('does nothing at the ends of a group', () => {
    expect(moveWithinGroup(list, 'a', -1)).toBeNull();
    expect(moveWithinGroup(list, 'c', 1)).toBeNull();
    expect(moveWithinGroup(list, 'x', 1)).toBeNull();
    expect(moveWithinGroup(list, 'nope', 1)).toBeNull();
  });
  it('keeps every message and the order shown within other groups', () => {
    const arbitraryList = fc.array(fc.constantFrom('', 'G', 'H'), { maxLength: 12 }).map((groups) => groups.map((g, i) => msg(`m${i}`, g)));
    fc.assert(
      fc.property(arbitraryList, fc.nat(), fc.constantFrom(-1 as const, 1 as const), (l, pick, delta) => {
        if (l.length === 0) return;
        const moving = l[pick % l.length] as SavedMessage;
        const next = moveWithinGroup(l, moving.id, delta);
        if (!next) return;
        expect([...ids(next) ?? []].sort()).toEqual([...ids(l) ?? []].sort());
        for (const g of ['', 'G', 'H'].filter((g) => g !== moving.group)) {
          expect(ids(next.filter((m) => m.group === g))).toEqual(ids(l.filter((m) => m.group === g)));
        }
      }),
    );
  });
});

describe('draftErrors', () => {
  const existing = [msg('a', '', 'Hello')];
  const draft = { name: 'Ping', group: '', format: 'text' as const, content: 'PING', lineEnding: 'crlf' as const };
  it('accepts a named, sendable message', () => {
    expect(draftErrors(draft, existing)).toEqual({});
  });
  it('asks for a name, and a name no other message has', () => {
    expect(draftErrors({ ...draft, name: '  ' }, existing).name).toMatch(/name/);
    expect(draftErrors({ ...draft, name: 'hello' }, existing).name).toMatch(/already called "hello"/);
    expect(draftErrors({ ...draft, name: 'Hello' }, existing, 'a')).toEqual({});
  });
  it('refuses content that could not be sent, saying why', () => {
    expect(draftErrors({ ...draft, content: 'x\\q' }, existing).content).toMatch(/^Bad escape at position 2/);
    expect(draftErrors({ ...draft, content: '{{nope}}' }, existing).content).toMatch(/^Bad macro at position 1: unknown macro "\{\{nope\}\}"/);
    expect(draftErrors({ ...draft, format: 'hex', content: '4' }, existing).content).toMatch(/^Bad hex/);
    expect(draftErrors({ ...draft, content: '', lineEnding: 'none' }, existing).content).toMatch(/empty/);
  });
});

describe('draftFromBytes', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('keeps text as text, its trailing line ending as the line ending', () => {
    expect(draftFromBytes(enc('GET / HTTP/1.0\r\n'))).toEqual({ format: 'text', content: 'GET / HTTP/1.0', lineEnding: 'crlf' });
    expect(draftFromBytes(enc('a\tb\nc\n'))).toEqual({ format: 'text', content: 'a\\tb\\nc', lineEnding: 'lf' });
    expect(draftFromBytes(enc('{{x}}'))).toEqual({ format: 'text', content: '\\{{x}}', lineEnding: 'none' });
  });
  it('keeps binary as hex, and text with an odd control byte as text', () => {
    expect(draftFromBytes(Uint8Array.from([0x00, 0xff, 0x41]))).toEqual({ format: 'hex', content: '00 ff 41', lineEnding: 'none' });
    expect(draftFromBytes(Uint8Array.from([0x00, 0x01, 0x02, 0x41]))).toEqual({ format: 'hex', content: '00 01 02 41', lineEnding: 'none' });
    expect(draftFromBytes(enc('café 12:00:00 \x01\r\n'))).toEqual({ format: 'text', content: 'café 12:00:00 \\x01', lineEnding: 'crlf' });
  });
  it('sends back exactly the bytes it was made from', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }).map(enc)), (b) => {
        const d = draftFromBytes(b);
        expect(d).not.toBeNull();
        if (!d) return;
        const sent = composeForSend('roundtrip', d);
        expect(sent).toEqual({ ok: true, bytes: b });
        if (d.format === 'text') expect(parseEscapedText(d.content).ok).toBe(true);
        else expect(parseHex(d.content).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('composeForSend', () => {
  it('counts sends per conversation, and only the ones that went', () => {
    const m = { format: 'text' as const, content: 'n={{counter}}', lineEnding: 'none' as const };
    const text = (r: ReturnType<typeof composeForSend>) => (r.ok ? new TextDecoder().decode(r.bytes) : r.error);
    expect(text(composeForSend('c1', m))).toBe('n=1');
    expect(text(composeForSend('c1', m))).toBe('n=2');
    expect(text(composeForSend('c2', m))).toBe('n=1');
    expect(composeForSend('c1', { ...m, content: '{{bad}}' })).toMatchObject({ ok: false, position: 1 });
    expect(text(composeForSend('c1', m))).toBe('n=3');
  });
  it('reads {{unixtime}} from the send time', () => {
    const r = composeForSend('c3', { format: 'text', content: '{{unixtime}}', lineEnding: 'none' }, 1_700_000_000_999);
    expect(r.ok && new TextDecoder().decode(r.bytes)).toBe('1700000000');
  });
});

describe('messageSummary', () => {
  it('shows the content and its line ending, shortened', () => {
    expect(messageSummary({ format: 'text', content: 'PING', lineEnding: 'crlf' })).toBe('PING + CRLF');
    expect(messageSummary({ format: 'hex', content: '01 02', lineEnding: 'none' })).toBe('hex 01 02');
    expect(messageSummary({ format: 'text', content: 'x'.repeat(100), lineEnding: 'none' }, 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
