/**
 * Keys for saved messages: Alt+1 … Alt+9 send the first nine messages of the list (in the order
 * shown) on the conversation that has the focus. Exported for the Keyboard shortcuts dialog.
 * Alt, not Mod: Mod+1…9 picks an endpoint (shared/app-commands.ts).
 */
import type { Chord } from '../../../../shared/app-commands';
import { chordMatches, type KeyPress } from '../../shortcuts/chords';

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const SAVED_MESSAGE_CHORDS: readonly Chord[] = DIGITS.map((d) => `Alt+${d}`);

/** As the Keyboard shortcuts dialog lists them (the same shape as shared/app-commands.ts rows). */
export const SAVED_MESSAGE_SHORTCUTS: ReadonlyArray<{ label: string; keys: readonly Chord[] }> = [
  { label: 'Send saved message 1 to 9 (in a conversation)', keys: SAVED_MESSAGE_CHORDS },
];

/**
 * Which saved message (0-based) a key press sends, or null. It fires in the Message box too (the
 * focus is there while a person works a conversation), where on macOS it takes the place of
 * Option+digit's symbol.
 */
export function savedMessageIndex(e: KeyPress, mac: boolean): number | null {
  const i = SAVED_MESSAGE_CHORDS.findIndex((chord) => chordMatches(chord, e, mac));
  return i < 0 ? null : i;
}
