import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEscapedText, toEscapedText } from './bytes';

const bytes = (...b: number[]) => Uint8Array.from(b);
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('parseEscapedText: \\u escapes', () => {
  it('writes \\uXXXX and \\u{…} as the code point in UTF-8', () => {
    expect(parseEscapedText('\\u00e9')).toEqual({ ok: true, bytes: bytes(0xc3, 0xa9) });
    expect(parseEscapedText('\\u{e9}\\u{1F600}!')).toEqual({ ok: true, bytes: bytes(0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80, 0x21) });
    expect(parseEscapedText('\\u0041\\u{0}\\u{10FFFF}')).toEqual({ ok: true, bytes: bytes(0x41, 0x00, 0xf4, 0x8f, 0xbf, 0xbf) });
  });

  it('keeps the escapes that were there, and reads \\{ as a brace', () => {
    expect(parseEscapedText('a\\r\\n\\t\\0\\x1b\\\\\\{z')).toEqual({ ok: true, bytes: bytes(0x61, 0x0d, 0x0a, 0x09, 0x00, 0x1b, 0x5c, 0x7b, 0x7a) });
  });

  it('refuses surrogate halves and code points past U+10FFFF, naming the position', () => {
    const high = parseEscapedText('ab\\uD83D\\uDE00');
    expect(high).toMatchObject({ ok: false, position: 3 });
    expect(!high.ok && high.error).toMatch(/surrogate/);
    expect(parseEscapedText('x\\u{dfff}')).toMatchObject({ ok: false, position: 2 });
    const big = parseEscapedText('xyz\\u{110000}');
    expect(big).toMatchObject({ ok: false, position: 4 });
    expect(!big.ok && big.error).toMatch(/10FFFF/);
  });

  it('refuses malformed \\u escapes with the position', () => {
    for (const [text, position] of [
      ['\\u12', 1],
      ['ab\\u12g4', 3],
      ['\\u{', 1],
      ['\\u{}', 1],
      ['a\\u{1234567}', 2],
      ['\\u{12 34}', 1],
      ['\\u{1F600', 1],
    ] as const) {
      expect(parseEscapedText(text), text).toMatchObject({ ok: false, position });
    }
  });

  it('encodes every code point as UTF-8, in both forms', () => {
    const scalar = fc.oneof(fc.integer({ min: 0, max: 0xd7ff }), fc.integer({ min: 0xe000, max: 0x10ffff }));
    fc.assert(
      fc.property(scalar, (cp) => {
        const expected = utf8(String.fromCodePoint(cp));
        expect(parseEscapedText(`\\u{${cp.toString(16)}}`)).toEqual({ ok: true, bytes: expected });
        if (cp <= 0xffff) expect(parseEscapedText(`\\u${cp.toString(16).padStart(4, '0')}`)).toEqual({ ok: true, bytes: expected });
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every surrogate half in both forms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0xd800, max: 0xdfff }), (cp) => {
        expect(parseEscapedText(`\\u${cp.toString(16)}`)).toMatchObject({ ok: false, position: 1 });
        expect(parseEscapedText(`\\u{${cp.toString(16)}}`)).toMatchObject({ ok: false, position: 1 });
      }),
      { numRuns: 300 },
    );
  });

  it('sends random text without backslashes exactly as its UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !s.includes('\\')), (text) => {
        expect(parseEscapedText(text)).toEqual({ ok: true, bytes: utf8(text) });
      }),
      { numRuns: 500 },
    );
  });
});

describe('toEscapedText', () => {
  it('reads as text, with escapes for what is not printable', () => {
    expect(toEscapedText(utf8('GET / HTTP/1.1\r\n'))).toBe('GET / HTTP/1.1\\r\\n');
    expect(toEscapedText(bytes(0x00, 0x1b, 0x7f, 0xff, 0x5c))).toBe('\\0\\x1b\\x7f\\xff\\\\');
    expect(toEscapedText(utf8('é✓\u0085'))).toBe('é✓\\u{85}');
    expect(toEscapedText(utf8('{{counter}} {x}'))).toBe('\\{{counter}} {x}');
  });

  it('parses back to exactly the same bytes, whatever they are', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(parseEscapedText(toEscapedText(b))).toEqual({ ok: true, bytes: b });
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps overlong and surrogate encodings as raw bytes, not characters', () => {
    expect(toEscapedText(bytes(0xc0, 0xaf))).toBe('\\xc0\\xaf');
    expect(toEscapedText(bytes(0xed, 0xa0, 0x80))).toBe('\\xed\\xa0\\x80');
    expect(toEscapedText(bytes(0xf4, 0x90, 0x80, 0x80))).toBe('\\xf4\\x90\\x80\\x80');
  });
});

describe('toEscapedText without macros', () => {
  it('leaves braces alone where no macro is expanded, and still round-trips', () => {
    expect(toEscapedText(utf8('{{x}}'), { macros: false })).toBe('{{x}}');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        expect(parseEscapedText(toEscapedText(b, { macros: false }))).toEqual({ ok: true, bytes: b });
      }),
      { numRuns: 500 },
    );
  });
});
