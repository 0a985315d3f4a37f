import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, composeMessage, hexDumpLines, parseEscapedText, parseHex, visibleText } from './bytes';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('parseEscapedText', () => {
  it('reads every documented escape', () => {
    const r = parseEscapedText('a\\r\\n\\t\\0\\x1b\\\\z');
    expect(r).toEqual({ ok: true, bytes: bytes(0x61, 0x0d, 0x0a, 0x09, 0x00, 0x1b, 0x5c, 0x7a) });
  });
  it('encodes text as UTF-8', () => {
    expect(parseEscapedText('é✓')).toEqual({ ok: true, bytes: bytes(0xc3, 0xa9, 0xe2, 0x9c, 0x93) });
  });
  it('names the position of a bad escape', () => {
    expect(parseEscapedText('abc\\q')).toMatchObject({ ok: false, position: 4 });
    expect(parseEscapedText('\\xZ1')).toMatchObject({ ok: false, position: 1 });
    expect(parseEscapedText('ab\\')).toMatchObject({ ok: false, position: 3 });
  });
});

describe('parseHex', () => {
  it('accepts spaced, packed, 0x-prefixed and comma-separated bytes', () => {
    const hello = bytes(0x48, 0x65, 0x6c, 0x6c, 0x6f);
    for (const t of ['48 65 6c 6c 6f', '48656c6c6f', '0x48,0x65,0x6C,0x6c,0x6f', '48:65:6c:6c:6f']) {
      expect(parseHex(t)).toEqual({ ok: true, bytes: hello });
    }
  });
  it('names the position of a bad digit or an odd nibble', () => {
    expect(parseHex('48 6g')).toMatchObject({ ok: false, position: 5 });
    expect(parseHex('48 6')).toMatchObject({ ok: false, position: 4 });
  });
});

describe('composeMessage', () => {
  it('appends the line ending', () => {
    expect(composeMessage('hi', { hex: false, lineEnding: 'crlf' })).toEqual({ ok: true, bytes: bytes(0x68, 0x69, 0x0d, 0x0a) });
    expect(composeMessage('68 69', { hex: true, lineEnding: 'lf' })).toEqual({ ok: true, bytes: bytes(0x68, 0x69, 0x0a) });
  });
});

describe('visibleText', () => {
  it('makes control characters visible and never drops a byte silently', () => {
    expect(visibleText(bytes(0x68, 0x0d, 0x0a, 0x00, 0x1b, 0x7f))).toBe('h␍␊\n␀␛␡');
  });
  it('shows invalid UTF-8 as \\xNN (details in visible-bytes.test.ts), Latin-1 byte for byte', () => {
    expect(visibleText(bytes(0xff, 0x41))).toBe('\\xffA');
    expect(visibleText(bytes(0xe9, 0x41), 'latin1')).toBe('éA');
  });
});

describe('hexDumpLines', () => {
  it('prints offset, hex and ASCII columns', () => {
    const [line] = hexDumpLines(new TextEncoder().encode('Hello, world!\n'));
    expect(line).toBe('00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a        |Hello, world!.|');
  });
});

describe('base64', () => {
  it('round-trips any bytes and matches Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const enc = bytesToBase64(b);
        expect(enc).toBe(Buffer.from(b).toString('base64'));
        expect(base64ToBytes(enc)).toEqual(b);
      }),
      { numRuns: 2000 },
    );
  });
  it('parsers never throw on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseHex(s);
        parseEscapedText(s);
      }),
      { numRuns: 2000 },
    );
  });
});
