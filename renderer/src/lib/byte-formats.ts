/**
 * A chunk's bytes in the forms people paste elsewhere: text, hex, a C array, base64. Pure
 * functions; the Copy buttons and the saved files use them.
 */
import { bytesToBase64, toHex } from '../../../shared/bytes';

export type CopyFormat = 'text' | 'hex' | 'c-array' | 'base64';

export const COPY_FORMATS: readonly { format: CopyFormat; label: string }[] = [
  { format: 'text', label: 'text' },
  { format: 'hex', label: 'hex' },
  { format: 'c-array', label: 'C array' },
  { format: 'base64', label: 'base64' },
];

/** The bytes decoded as text, control characters as they are (invalid UTF-8 becomes U+FFFD here: it is text to paste). */
export function bytesAsText(bytes: Uint8Array, decoding: 'utf-8' | 'latin1' = 'utf-8'): string {
  if (decoding === 'utf-8') return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return s;
}

/** `unsigned char data[N] = { 0x48, … };`, twelve bytes a line: pastes into C, C++, and (minus the type) most languages. */
export function formatCArray(bytes: Uint8Array, name = 'data'): string {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 12) {
    const row = Array.from(bytes.subarray(i, i + 12), (b) => `0x${b.toString(16).padStart(2, '0')}`);
    lines.push(`  ${row.join(', ')}${i + 12 < bytes.length ? ',' : ''}`);
  }
  return lines.length === 0 ? `unsigned char ${name}[0] = {};` : `unsigned char ${name}[${bytes.length}] = {\n${lines.join('\n')}\n};`;
}

export function formatBytesAs(bytes: Uint8Array, format: CopyFormat, decoding: 'utf-8' | 'latin1' = 'utf-8'): string {
  switch (format) {
    case 'text':
      return bytesAsText(bytes, decoding);
    case 'hex':
      return toHex(bytes);
    case 'c-array':
      return formatCArray(bytes);
    case 'base64':
      return bytesToBase64(bytes);
  }
}

/** One byte array out of many (a direction's chunks, in order). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
