/**
 * Which shortcut a key press means — pure, so it is unit-tested without a browser. The table is
 * shared/app-commands.ts; this decides the platform's Mod key, layouts, and text fields.
 */
import { SHORTCUTS, type Chord, type ShortcutCommand } from '../../../shared/app-commands';

/** The parts of a KeyboardEvent the decision reads. */
export interface KeyPress {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export interface MatchContext {
  mac: boolean;
  /** The focus is in a text box, text area, select or editable element. */
  inTextField: boolean;
  /** Electron: the menu fires its accelerators itself, so the page must not act on them too. */
  menuOwnsAccelerators: boolean;
}

export interface ShortcutMatch {
  command: ShortcutCommand;
  /** Which of the shortcut's keys matched (for `select-endpoint`: the endpoint's position). */
  index: number;
}

interface ParsedChord {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  key: string;
}

function parse(chord: Chord): ParsedChord {
  const parts = chord.split('+');
  const key = parts.pop() as string;
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt'), key };
}

/** A chord that types a character by itself (`?`): Shift is whatever the layout needs to type it. */
const isBareCharacter = (p: ParsedChord) => !p.mod && !p.alt && p.key.length === 1 && !/[A-Za-z0-9]/.test(p.key);

/**
 * Letters by the character they type (Dvorak, AZERTY), falling back to the physical key when the
 * layout types no Latin letter there (Cyrillic, Greek); digits by the physical key too, since
 * AZERTY types `&` on the 1 key without Shift.
 */
function keyMatches(want: string, e: KeyPress): boolean {
  if (/^[A-Za-z]$/.test(want)) {
    const typed = e.key.length === 1 && /[A-Za-z]/.test(e.key) ? e.key : null;
    return typed !== null ? typed.toLowerCase() === want.toLowerCase() : e.code === `Key${want.toUpperCase()}`;
  }
  if (/^[0-9]$/.test(want)) return e.code === `Digit${want}` || e.code === `Numpad${want}` || e.key === want;
  return e.key === want;
}

export function chordMatches(chord: Chord, e: KeyPress, mac: boolean): boolean {
  const p = parse(chord);
  // Mod is exactly one of Ctrl / Cmd: Ctrl+Cmd+F is macOS's full screen, not our search.
  const modDown = mac ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  const noMod = !e.ctrlKey && !e.metaKey;
  if (p.mod ? !modDown : !noMod) return false;
  if (e.altKey !== p.alt) return false;
  if (!isBareCharacter(p) && e.shiftKey !== p.shift) return false;
  return keyMatches(p.key, e);
}

/** Chords with Mod, and function keys, mean nothing to a text field; the rest are left to it. */
export function firesInTextField(chord: Chord): boolean {
  const p = parse(chord);
  return p.mod || /^F\d{1,2}$/.test(p.key);
}

export function matchShortcut(e: KeyPress, ctx: MatchContext): ShortcutMatch | null {
  for (const s of SHORTCUTS) {
    for (const [index, chord] of s.keys.entries()) {
      if (ctx.menuOwnsAccelerators && s.menuAccelerator && index === 0) continue;
      if (ctx.inTextField && !firesInTextField(chord)) continue;
      if (chordMatches(chord, e, ctx.mac)) return { command: s.command, index };
    }
  }
  return null;
}
