import { describe, expect, it } from 'vitest';
import { visibleSegments, visibleText } from './visible-bytes';

const b = (...xs: number[]) => Uint8Array.from(xs);
const utf8 = (s: string) => new TextEncoder().encode(s);

describe('visibleText: UTF-8', () => {
  it('names each invalid byte as \\xNN, so different bad bytes look different', () => {
    // 0xC3 0x28: a lead byte without its continuation; 0xFF 0xFE never valid; 0x80 a lone continuation.
    expect(visibleText(b(0x62, 0x61, 0x64, 0x3a, 0xc3, 0x28, 0xff, 0xfe, 0x80, 0x21, 0x0a))).toBe('bad:\\xc3(\\xff\\xfe\\x80!␊\n');
    expect(visibleText(b(0xc3, 0x28))).not.toBe(visibleText(b(0xff, 0x28)));
  });

  it('refuses overlong forms, surrogates and code points above U+10FFFF', () => {
    expect(visibleText(b(0xc0, 0xaf))).toBe('\\xc0\\xaf'); // overlong "/"
    expect(visibleText(b(0xe0, 0x80, 0xaf))).toBe('\\xe0\\x80\\xaf');
    expect(visibleText(b(0xed, 0xa0, 0x80))).toBe('\\xed\\xa0\\x80'); // U+D800
    expect(visibleText(b(0xf4, 0x90, 0x80, 0x80))).toBe('\\xf4\\x90\\x80\\x80');
  });

  it('decodes valid multi-byte characters, and a sequence cut at the end is shown byte by byte', () => {
    expect(visibleText(utf8('é€😀'))).toBe('é€😀');
    expect(visibleText(utf8('€').subarray(0, 2))).toBe('\\xe2\\x82');
  });

  it('makes control characters visible and keeps a newline after ␊', () => {
    expect(visibleText(b(0x68, 0x0d, 0x0a, 0x00, 0x1b, 0x09, 0x7f))).toBe('h␍␊\n␀␛␉␡');
  });

  it('names invisible and reordering characters instead of rendering nothing', () => {
    expect(visibleText(utf8('a\u00a0b\u00adc\u200bd\u202ee\ufefff'))).toBe('a\\u00a0b\\u00adc\\u200bd\\u202ee\\ufefff');
    expect(visibleText(utf8('\u0085'))).toBe('\\u0085'); // a C1 control, encoded as c2 85
  });
});

describe('visibleText: Latin-1', () => {
  it('is byte for byte, with NBSP, soft hyphen and C1 controls named', () => {
    expect(visibleText(b(0xe9, 0x41), 'latin1')).toBe('éA');
    expect(visibleText(b(0x61, 0xa0, 0x62, 0xad, 0x63, 0x85), 'latin1')).toBe('a\\xa0b\\xadc\\x85');
    expect(visibleText(b(0xff), 'latin1')).toBe('ÿ');
  });
});

describe('visibleSegments', () => {
  it('tells plain text, control pictures and escapes apart (the log styles them differently)', () => {
    expect(visibleSegments(b(0x41, 0x42, 0x0d, 0x0a, 0xff, 0xfe, 0x43))).toEqual([
      { kind: 'text', text: 'AB' },
      { kind: 'control', text: '␍␊\n' },
      { kind: 'escape', text: '\\xff\\xfe' },
      { kind: 'text', text: 'C' },
    ]);
  });
  it('a literal backslash-x typed by the peer is plain text, not an escape', () => {
    expect(visibleSegments(utf8('\\xff'))).toEqual([{ kind: 'text', text: '\\xff' }]);
  });
});
