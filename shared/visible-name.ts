/**
 * Names that came from outside (process names, Unix socket paths, reverse-DNS names) made safe to
 * show as one line of text. A process may call itself `‮gnp.exe` (U+202E, RIGHT-TO-LEFT OVERRIDE)
 * to be displayed as `exe.png`, or put a newline, a zero-width space or a line separator in its
 * name to look like something else. Every such character is shown as what it is instead:
 *
 *   C0 controls and DEL     as their control pictures: `␊` for a newline, `␉` for a tab, `␡`
 *   everything else         as `⟨U+202E⟩`: C1 controls, bidi embeddings/overrides/isolates/marks,
 *                           zero-width and other format characters, line/paragraph separators,
 *                           Hangul fillers, lone surrogates
 *
 * The marker characters themselves (`⟨` and the control pictures) are escaped too, so a name can't
 * fake a marker: `⟨U+202E⟩` on screen always means a real U+202E. Pure and linear: used by the
 * renderer's table and by the engine's "port already in use" explanation alike.
 */

/**
 * Every character `visibleName` replaces: Cc/Cf/Zl/Zp/Cs, the invisible Hangul fillers used to
 * spoof names, and the marker characters `⟨` and ␀–␦. `u`, so astral format characters count.
 */
const NEEDS_ESCAPE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u115f\u1160\u3164\uffa0\u27e8\u2400-\u2426]/u;

/** `name` with every control, bidi, invisible or marker-like character shown as described above. */
export function visibleName(name: string): string {
  if (!NEEDS_ESCAPE.test(name)) return name;
  let out = '';
  // for…of walks code points; a lone surrogate comes out as itself and is escaped as Cs.
  for (const ch of name) {
    const code = ch.codePointAt(0) as number;
    if (!NEEDS_ESCAPE.test(ch)) out += ch;
    else if (code < 0x20) out += String.fromCharCode(0x2400 + code);
    else if (code === 0x7f) out += '␡';
    else out += `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
  }
  return out;
}
