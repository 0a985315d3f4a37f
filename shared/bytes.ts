/**
 * Bytes as people type and read them: escapes, hex, line endings, visible control characters,
 * hex dumps and base64 for the transports. Pure functions, used by the UI and the engine alike.
 */

export type ParseResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string; position: number };

export type LineEnding = 'none' | 'lf' | 'crlf';
export const LINE_ENDING_BYTES: Record<LineEnding, number[]> = { none: [], lf: [0x0a], crlf: [0x0d, 0x0a] };

const encoder = new TextEncoder();

const SIMPLE_ESCAPES: Record<string, number> = { r: 0x0d, n: 0x0a, t: 0x09, '0': 0x00, '\\': 0x5c };

/** Text with `\r \n \t \0 \xHH \\` escapes, encoded as UTF-8. Positions are 1-based characters. */
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
    } else {
      return { ok: false, error: `unknown escape "\\${next}" (known: \\r \\n \\t \\0 \\xHH \\\\)`, position: i + 1 };
    }
    literalStart = i + 1;
  }
  flushLiteral(text.length);
  return { ok: true, bytes: Uint8Array.from(out) };
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

export type TextDecoding = 'utf-8' | 'latin1';

/**
 * Bytes as readable text with control characters made visible (`␍␊`, `␀`, `␛`), so that what
 * arrived is shown exactly and can never be interpreted as markup by whoever displays it.
 */
export function visibleText(bytes: Uint8Array, decoding: TextDecoding = 'utf-8'): string {
  const text = decoding === 'latin1' ? latin1(bytes) : new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x20) out += String.fromCodePoint(0x2400 + code) + (code === 0x0a ? '\n' : '');
    else if (code === 0x7f) out += '␡';
    else if (code >= 0x80 && code < 0xa0) out += `\\x${code.toString(16)}`;
    else out += ch;
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return s;
}

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
