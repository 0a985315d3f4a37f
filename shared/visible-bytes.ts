/**
 * Bytes as text a person can trust: every byte is either shown as the character it encodes or
 * named. Control characters become Control Pictures (`␍␊`, `␀`, `␛`); bytes that are not valid
 * UTF-8 become `\xNN`, one per byte (U+FFFD would make `c3 28` and `ff fe` look the same); and
 * characters that render as nothing or move other text (NBSP, soft hyphen, zero-width and bidi
 * controls) are named as `\xNN` in Latin-1 or `\uNNNN` in UTF-8. Nothing here is ever markup.
 */

export type TextDecoding = 'utf-8' | 'latin1';

/** `text`: shown as is; `control`: a Control Picture; `escape`: a byte or character named in escape form. */
export type VisibleSegment = { kind: 'text' | 'control' | 'escape'; text: string };

/** Invisible or text-reordering characters worth naming (besides C0/C1 controls). */
const INVISIBLE = new Set([
  0xa0, 0xad, 0x034f, 0x061c, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029,
  0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0x2066, 0x2067, 0x2068, 0x2069, 0x3164, 0xfeff,
]);

const hex2 = (b: number) => b.toString(16).padStart(2, '0');
const uEscape = (cp: number) => (cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`);

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the byte there cannot start one. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] as number;
  if (b < 0x80) return 1;
  let len: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) len = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    len = 3;
    if (b === 0xe0) lo = 0xa0; // overlong
    if (b === 0xed) hi = 0x9f; // UTF-16 surrogates
  } else if (b >= 0xf0 && b <= 0xf4) {
    len = 4;
    if (b === 0xf0) lo = 0x90; // overlong
    if (b === 0xf4) hi = 0x8f; // above U+10FFFF
  } else return 0;
  if (i + len > bytes.length) return 0;
  const second = bytes[i + 1] as number;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k < len; k++) {
    const c = bytes[i + k] as number;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return len;
}

function decodeUtf8At(bytes: Uint8Array, i: number, len: number): number {
  const b = bytes[i] as number;
  if (len === 1) return b;
  let cp = b & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) cp = (cp << 6) | ((bytes[i + k] as number) & 0x3f);
  return cp;
}

/** The segments of `bytes` as shown: consecutive plain characters are one `text` segment. */
export function visibleSegments(bytes: Uint8Array, decoding: TextDecoding = 'utf-8'): VisibleSegment[] {
  const out: VisibleSegment[] = [];
  let plain = '';
  const push = (kind: 'control' | 'escape', text: string) => {
    if (plain) out.push({ kind: 'text', text: plain });
    plain = '';
    const last = out.at(-1);
    if (last && last.kind === kind) last.text += text;
    else out.push({ kind, text });
  };
  const utf8 = decoding === 'utf-8';
  for (let i = 0; i < bytes.length; ) {
    let cp: number;
    let len = 1;
    if (utf8) {
      len = utf8SequenceLength(bytes, i);
      if (len === 0) {
        push('escape', `\\x${hex2(bytes[i] as number)}`);
        i += 1;
        continue;
      }
      cp = decodeUtf8At(bytes, i, len);
    } else {
      cp = bytes[i] as number;
    }
    i += len;
    if (cp < 0x20) push('control', String.fromCodePoint(0x2400 + cp) + (cp === 0x0a ? '\n' : ''));
    else if (cp === 0x7f) push('control', '␡');
    else if ((cp >= 0x80 && cp < 0xa0) || INVISIBLE.has(cp)) push('escape', utf8 ? uEscape(cp) : `\\x${hex2(cp)}`);
    else plain += String.fromCodePoint(cp);
  }
  if (plain) out.push({ kind: 'text', text: plain });
  return out;
}

/**
 * Bytes as readable text with control characters made visible (`␍␊`, `␀`, `␛`), so that what
 * arrived is shown exactly and can never be interpreted as markup by whoever displays it. A line
 * feed keeps a real newline after its picture, so multi-line text still reads as lines.
 */
export function visibleText(bytes: Uint8Array, decoding: TextDecoding = 'utf-8'): string {
  let s = '';
  for (const seg of visibleSegments(bytes, decoding)) s += seg.text;
  return s;
}
