import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visibleName } from './visible-name';

describe('visibleName', () => {
  it('leaves ordinary names alone, non-Latin scripts and emoji included', () => {
    for (const name of ['sshd', 'Google Chrome He', 'a b, c (d" e', '<svg onload=1>', 'café', 'служба', '进程', 'קובץ', 'tool🙂']) {
      expect(visibleName(name)).toBe(name);
    }
  });

  it('shows a right-to-left override instead of letting it reverse the name', () => {
    expect(visibleName('\u202Egnp.exe')).toBe('⟨U+202E⟩gnp.exe');
    expect(visibleName('a\nb\u202Egnp.exe')).toBe('a␊b⟨U+202E⟩gnp.exe');
  });

  it('shows every bidi control', () => {
    const bidi = [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200e, 0x200f, 0x061c];
    for (const code of bidi) {
      const shown = visibleName(`x${String.fromCodePoint(code)}y`);
      expect(shown).toBe(`x⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩y`);
    }
  });

  it('shows C0 controls as control pictures, DEL as ␡ and C1 controls by code point', () => {
    expect(visibleName('a\nb\tc\rd\0e\x1bf')).toBe('a␊b␉c␍d␀e␛f');
    expect(visibleName('x\x7fy')).toBe('x␡y');
    expect(visibleName('x\x85y\x9bz')).toBe('x⟨U+0085⟩y⟨U+009B⟩z');
  });

  it('shows zero-width, format, line-separator and filler characters', () => {
    expect(visibleName('ss\u200Bhd')).toBe('ss⟨U+200B⟩hd');
    expect(visibleName('a\u2028b\u2029c')).toBe('a⟨U+2028⟩b⟨U+2029⟩c');
    expect(visibleName('\uFEFFx\u00AD')).toBe('⟨U+FEFF⟩x⟨U+00AD⟩');
    expect(visibleName('\u3164')).toBe('⟨U+3164⟩');
    expect(visibleName('tag\u{E0041}')).toBe('tag⟨U+E0041⟩');
    expect(visibleName('lone\uD800')).toBe('lone⟨U+D800⟩');
  });

  it('escapes the marker characters, so a name cannot fake a marker', () => {
    expect(visibleName('⟨U+202E⟩')).toBe('⟨U+27E8⟩U+202E⟩');
    expect(visibleName('a␊b')).toBe('a⟨U+240A⟩b');
  });

  it('never outputs a control, bidi or invisible character, whatever the input', () => {
    const dangerous = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
    // Code points anywhere, weighted towards controls, bidi/format characters and surrogates.
    const codePoint = fc.oneof(
      fc.integer({ min: 0, max: 0xa0 }),
      fc.integer({ min: 0x2000, max: 0x2070 }),
      fc.integer({ min: 0xd800, max: 0xdfff }),
      fc.integer({ min: 0, max: 0x10ffff }),
    );
    const name = fc.array(codePoint, { maxLength: 40 }).map((codes) => codes.map((c) => String.fromCodePoint(c)).join(''));
    fc.assert(
      fc.property(name, (name) => {
        const shown = visibleName(name);
        expect(dangerous.test(shown)).toBe(false);
        // Nothing visible is lost: every character kept appears in order.
        if (!/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0\u27e8\u2400-\u2426]/u.test(name)) expect(shown).toBe(name);
      }),
      { numRuns: 2000 },
    );
  });
});
