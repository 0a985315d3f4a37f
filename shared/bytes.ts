/**
 * Bytes as people type and read them: escapes, hex, line endings, visible control characters,
 * hex dumps and base64 for the transports. Pure functions, used by the UI and the engine alike.
 */

export type ParseResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string; position: number };

export type LineEnding = 'none' | 'lf' | 'crlf';
export const LINE_ENDING_BYTES: Record<LineEnding, number[]> = { none: [], lf: [0x0a], crlf: [0x0d, 0x0a] };

const encoder = new TextEncoder();

/** One-character escapes. `\{` is a literal brace, so `\{{` writes `{{` where macros are expanded. */
const SIMPLE_ESCAPES: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '0': 0x00, '\\': 0x5c, '{': 0x7b };

export const KNOWN_ESCAPES = '\\r \\n \\t \\0 \\xHH \\uXXXX \\u{…} \\{ \\\\';

const MAX_CODE_POINT = 0x10ffff;
const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/**
 * Text with `\r \n \t \0 \xHH \uXXXX \u{H…} \{ \\` escapes, encoded as UTF-8. `\xHH` is one raw
 * byte; `\u` is a Unicode code point written as its UTF-8 bytes (surrogate halves and values past
 * U+10FFFF are refused: they have no UTF-8 form). Positions are 1-based characters.
 */
export function parseEscapedText(text: string): ParseResult {
  const out: number[] = [];
  let literalStart = 0;
  const flushLiteral = (end: number) => {
    if (end > literalStart) for (const b of encoder.encode(text.slice(literalStart, end))) out.push(b);
  };
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '\\') continue;
    flushLiteral(i);
    const next = text[i + 1];
    if (next === undefined) return { ok: false, error: 'a lone "\\" at the end: write "\\\\" for a backslash', position: i + 1 };
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out.push(simple);
      i += 1;
    } else if (next === 'x') {
      const hex = text.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        return { ok: false, error: '"\\x" needs two hex digits, e.g. "\\x1b"', position: i + 1 };
      }
      out.push(parseInt(hex, 16));
      i += 3;
    } else if (next === 'u') {
      const escape = readUnicodeEscape(text, i);
      if ('error' in escape) return { ok: false, error: escape.error, position: i + 1 };
      for (const b of encoder.encode(String.fromCodePoint(escape.codePoint))) out.push(b);
      i += escape.length - 1;
    } else {
      return { ok: false, error: `unknown escape "\\${next}" (known: ${KNOWN_ESCAPES})`, position: i + 1 };
    }
    literalStart = i + 1;
  }
  flushLiteral(text.length);
  return { ok: true, bytes: Uint8Array.from(out) };
}

/** `\uXXXX` (exactly four hex digits) or `\u{H…}` (one to six) starting at `start` (the backslash). */
function readUnicodeEscape(text: string, start: number): { codePoint: number; length: number } | { error: string } {
  let digits: string;
  let length: number;
  if (text[start + 2] === '{') {
    const close = text.indexOf('}', start + 3);
    digits = close < 0 ? '' : text.slice(start + 3, close);
    if (close < 0 || !/^[0-9a-fA-F]{1,6}$/.test(digits)) {
      return { error: '"\\u{…}" needs one to six hex digits and a closing brace, e.g. "\\u{1F600}"' };
    }
    length = close - start + 1;
  } else {
    digits = text.slice(start + 2, start + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) return { error: '"\\u" needs four hex digits, e.g. "\\u00e9", or braces, e.g. "\\u{1F600}"' };
    length = 6;
  }
  const codePoint = parseInt(digits, 16);
  if (codePoint > MAX_CODE_POINT) return { error: `U+${digits.toUpperCase()} is past U+10FFFF, the last Unicode code point` };
  if (isSurrogate(codePoint)) {
    return { error: `U+${codePoint.toString(16).toUpperCase()} is a UTF-16 surrogate half, not a character: write the whole code point, e.g. "\\u{1F600}"` };
  }
  return { codePoint, length };
}

const NAMED_BYTE_ESCAPES: Record<number, string> = { 0x0d: '\\r', 0x0a: '\\n', 0x09: '\\t', 0x00: '\\0', 0x5c: '\\\\' };

/**
 * The inverse of parseEscapedText: bytes as text a person can read and edit, which parses back to
 * exactly these bytes. Valid UTF-8 stays as characters; control characters become escapes; bytes
 * that are not UTF-8 become `\xHH`. For text where macros are expanded (messages), a `{` before
 * another `{` becomes `\{`, so no macro appears; elsewhere (a behaviour's reply) it stays a brace.
 */
export function toEscapedText(bytes: Uint8Array, opts: { macros: boolean } = { macros: true }): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const named = NAMED_BYTE_ESCAPES[b];
    if (named) {
      out += named;
      i++;
    } else if (b < 0x20 || b === 0x7f) {
      out += `\\x${hex2(b)}`;
      i++;
    } else if (b < 0x80) {
      out += opts.macros && b === 0x7b && bytes[i + 1] === 0x7b ? '\\{' : String.fromCharCode(b);
      i++;
    } else {
      const seq = utf8Sequence(bytes, i);
      if (seq === null) {
        out += `\\x${hex2(b)}`;
        i++;
      } else {
        // C1 controls are invisible: spell them as code points (the same UTF-8 bytes).
        out += seq.codePoint < 0xa0 ? `\\u{${seq.codePoint.toString(16)}}` : String.fromCodePoint(seq.codePoint);
        i += seq.length;
      }
    }
  }
  return out;
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0');

/** The well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates) starting at `i`, if any. */
function utf8Sequence(bytes: Uint8Array, i: number): { codePoint: number; length: number } | null {
  const b0 = bytes[i] as number;
  const length = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 ? (b0 <= 0xef ? 3 : 0) : b0 >= 0xc2 ? 2 : 0;
  if (length === 0 || i + length > bytes.length) return null;
  let codePoint = b0 & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k] as number;
    if ((b & 0xc0) !== 0x80) return null;
    codePoint = (codePoint << 6) | (b & 0x3f);
  }
  const minimum = [0, 0, 0x80, 0x800, 0x10000][length] as number;
  if (codePoint < minimum || codePoint > MAX_CODE_POINT || isSurrogate(codePoint)) return null;
  return { codePoint, length };
}

/** Hex bytes such as `48 65 6c 6c 6f`, `48656c6c6f` or `0x48,0x65`. */
export function parseHex(text: string): ParseResult {
  const out: number[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/[\s,:]/.test(c)) {
      i++;
      continue;
    }
    if (c === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && /[0-9a-fA-F]/.test(text[i + 2] ?? '')) {
      i += 2;
      continue;
    }
    const pair = text.slice(i, i + 2);
    if (!/^[0-9a-fA-F]$/.test(c)) return { ok: false, error: `"${c}" is not a hex digit`, position: i + 1 };
    const second = text[i + 1];
    if (second !== undefined && !/[0-9a-fA-F\s,:]/.test(second)) {
      return { ok: false, error: `"${second}" is not a hex digit`, position: i + 2 };
    }
    if (!/^[0-9a-fA-F]{2}$/.test(pair)) {
      return { ok: false, error: 'hex bytes come in pairs of digits (e.g. "0a", not "a")', position: i + 1 };
    }
    out.push(parseInt(pair, 16));
    i += 2;
  }
  return { ok: true, bytes: Uint8Array.from(out) };
}

/** What the Send button sends: the message read as hex or escaped text, then the line ending. */
export function composeMessage(text: string, opts: { hex: boolean; lineEnding: LineEnding }): ParseResult {
  const parsed = opts.hex ? parseHex(text) : parseEscapedText(text);
  if (!parsed.ok) return parsed;
  const ending = LINE_ENDING_BYTES[opts.lineEnding];
  if (ending.length === 0) return parsed;
  const bytes = new Uint8Array(parsed.bytes.length + ending.length);
  bytes.set(parsed.bytes);
  bytes.set(ending, parsed.bytes.length);
  return { ok: true, bytes };
}

// How bytes are shown as text lives in visible-bytes.ts (invalid UTF-8 as \xNN, invisible characters named).
export { visibleText, visibleSegments, type TextDecoding, type VisibleSegment } from './visible-bytes';

/** Classic hex dump lines: `00000010  48 65 6c 6c 6f …  |Hello…|`, 16 bytes per line. */
export function hexDumpLines(bytes: Uint8Array, startOffset = 0): string[] {
  const lines: string[] = [];
  for (let off = 0; off < bytes.length; off += 16) {
    const row = bytes.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0'));
    const left = hex.slice(0, 8).join(' ');
    const right = hex.slice(8).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(startOffset + off).toString(16).padStart(8, '0')}  ${left.padEnd(23)}  ${right.padEnd(23)}  |${ascii}|`);
  }
  return lines;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}${B64[(n >> 6) & 63]}${B64[n & 63]}`;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${B64[n >> 18]}${B64[(n >> 12) & 63]}${B64[(n >> 6) & 63]}=`;
  }
  return out;
}

export function base64ToBytes(b64: string): Uint8Array {
  const clean = b64.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = B64_INDEX[clean.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error(`invalid base64 at ${i}`);
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}
