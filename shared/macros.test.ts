import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toEscapedText } from './bytes';
import { composeTemplate, describeTemplateError, expandMacros, uuidV4, type MacroContext } from './macros';

// 2024-03-05 07:08:09 local time.
const NOW = new Date(2024, 2, 5, 7, 8, 9, 500);
const fixedRandom = (n: number) => Uint8Array.from({ length: n }, (_, k) => (k * 37 + 11) & 0xff);
const ctx: MacroContext = { counter: 7, now: NOW, random: fixedRandom };

const expand = (text: string, c: Partial<MacroContext> = {}) => expandMacros(text, { ...ctx, ...c });
const sent = (text: string, c: Partial<MacroContext> = {}) => {
  const r = composeTemplate(text, { hex: false, lineEnding: 'none', macros: { ...ctx, ...c } });
  return r.ok ? new TextDecoder().decode(r.bytes) : r;
};

describe('expandMacros', () => {
  it('expands every built-in macro', () => {
    expect(expand('n={{counter}} d={{date}} t={{time}}')).toEqual({ ok: true, text: 'n=7 d=2024-03-05 t=07:08:09' });
    expect(expand('{{unixtime}}')).toEqual({ ok: true, text: String(Math.floor(NOW.getTime() / 1000)) });
    expect(expand('{{ counter }}')).toEqual({ ok: true, text: '7' });
  });

  it('gives a 32-bit random number and a version 4 UUID from the random source', () => {
    const r = expand('{{random}}');
    expect(r.ok && Number(r.text)).toBe(((11 << 24) >>> 0) + (48 << 16) + (85 << 8) + 122);
    const u = expand('{{uuid}}');
    expect(u.ok && u.text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('uses the system randomness by default: two uuids differ', () => {
    const a = expandMacros('{{uuid}} {{random}}', { counter: 1, now: Date.now() });
    const b = expandMacros('{{uuid}} {{random}}', { counter: 1, now: Date.now() });
    expect(a.ok && b.ok && a.text !== b.text).toBe(true);
  });

  it('reads variables, which win over a built-in of the same name', () => {
    expect(expand('hi {{name}}, {{counter}}', { vars: { name: 'Ada', counter: 'c' } })).toEqual({ ok: true, text: 'hi Ada, c' });
  });

  it('refuses an unknown macro, naming it and where it is', () => {
    const r = expand('ab{{nope}}');
    expect(r).toMatchObject({ ok: false, position: 3 });
    expect(!r.ok && r.error).toMatch(/unknown macro "\{\{nope\}\}"/);
    expect(!r.ok && r.error).toMatch(/\{\{counter\}\}/);
    expect(expand('x {{counter')).toMatchObject({ ok: false, position: 3 });
    expect(expand('{{}}')).toMatchObject({ ok: false, position: 1 });
    expect(expand('{{a b}}')).toMatchObject({ ok: false, position: 1 });
  });

  it('writes a literal "{{" for "{{{{" and "\\{{"', () => {
    expect(sent('{{{{counter}}')).toBe('{{counter}}');
    expect(sent('\\{{counter}} {{counter}}')).toBe('{{counter}} 7');
    // An escaped backslash does not escape the brace: a backslash, then the macro.
    expect(sent('\\\\{{counter}}')).toBe('\\7');
    expect(sent('a } b }} c { d')).toBe('a } b }} c { d');
  });

  it('sends a value as typed: its backslashes and braces never become escapes or macros', () => {
    expect(sent('[{{v}}]', { vars: { v: '\\n{{counter}}\\' } })).toBe('[\\n{{counter}}\\]');
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        expect(sent('<{{v}}>', { vars: { v: value } })).toBe(`<${new TextDecoder().decode(new TextEncoder().encode(value))}>`);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves text without macros or escapes exactly as it was', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('{{') && !s.includes('\\')), (text) => {
        expect(expand(text)).toEqual({ ok: true, text });
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the bytes of a saved chunk: its escaped text has no macros', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const r = composeTemplate(toEscapedText(b), { hex: false, lineEnding: 'none', macros: ctx });
        expect(r).toEqual({ ok: true, bytes: b });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('composeTemplate', () => {
  it('checks escapes before macros, so the position is the typed one', () => {
    expect(composeTemplate('{{counter}}\\q', { hex: false, lineEnding: 'none', macros: { ...ctx, counter: 123456 } })).toMatchObject({ ok: false, position: 12 });
    // A macro cannot complete an escape: "\x{{counter}}" is refused, not sent as byte 0x12.
    expect(composeTemplate('\\x{{counter}}', { hex: false, lineEnding: 'none', macros: { ...ctx, counter: 12 } })).toMatchObject({ ok: false, position: 1 });
  });

  it('appends the line ending and reads hex without macros', () => {
    expect(composeTemplate('{{counter}}', { hex: false, lineEnding: 'crlf', macros: ctx })).toEqual({ ok: true, bytes: Uint8Array.from([0x37, 0x0d, 0x0a]) });
    expect(composeTemplate('41 42', { hex: true, lineEnding: 'lf', macros: ctx })).toEqual({ ok: true, bytes: Uint8Array.from([0x41, 0x42, 0x0a]) });
  });
});

describe('uuidV4', () => {
  it('sets the version and variant bits whatever the bytes', () => {
    expect(uuidV4(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(uuidV4(new Uint8Array(16))).toBe('00000000-0000-4000-8000-000000000000');
  });
});

describe('describeTemplateError', () => {
  it('says what kind of mistake, where, and what is wrong', () => {
    const macro = composeTemplate('hi {{nope}}', { hex: false, lineEnding: 'none', macros: ctx });
    expect(!macro.ok && describeTemplateError(macro)).toMatch(/^Bad macro at position 4: unknown macro "\{\{nope\}\}"/);
    const escape = composeTemplate('a\\q', { hex: false, lineEnding: 'none', macros: ctx });
    expect(!escape.ok && describeTemplateError(escape)).toMatch(/^Bad escape at position 2: unknown escape "\\q"/);
    const hex = composeTemplate('4g', { hex: true, lineEnding: 'none', macros: ctx });
    expect(!hex.ok && describeTemplateError(hex)).toMatch(/^Bad hex at position 2/);
  });
});
