/**
 * The app's keyboard vocabulary, written down once: the commands the Electron menu may send to the
 * renderer (a fixed enum, checked on both sides of IPC), and the shortcuts that trigger them — the
 * menu's accelerators, the browser-mode key handler and the `Keyboard shortcuts` dialog all read
 * this table, so the three never disagree.
 */
import { z } from 'zod';

export const AppCommand = z.enum([
  'new-listener',
  'new-connection',
  'new-udp-endpoint',
  'search-traffic',
  'send-message',
  'save-message',
  'next-endpoint',
  'previous-endpoint',
  'show-endpoints',
  'show-system-sockets',
  'keyboard-shortcuts',
  'export-session',
  'import-session',
]);
export type AppCommand = z.infer<typeof AppCommand>;

/** Picking the n-th endpoint of the sidebar is a key of its own per n, not a menu command. */
export type ShortcutCommand = AppCommand | 'select-endpoint';

/**
 * A chord: modifiers then one key, `+`-separated. `Mod` is Ctrl, or Cmd on macOS. The key is a
 * KeyboardEvent.key value (`L`, `1`, `Enter`, `ArrowDown`, `F1`, `?`).
 *
 * Which chords fire while the focus is in a text field follows from the chord: those with `Mod`
 * and function keys do (they mean nothing to a text field); bare characters (`?`) and Alt+arrows
 * (a select's "open", a caret move on macOS) do not.
 */
export type Chord = string;

export interface Shortcut {
  command: ShortcutCommand;
  /** What it does, as the Keyboard shortcuts dialog lists it. */
  label: string;
  keys: readonly Chord[];
  /**
   * keys[0] is the Electron menu item's accelerator. There the menu fires it, so the renderer
   * leaves that chord alone in Electron (it would act twice otherwise).
   */
  menuAccelerator?: boolean;
}

const DIGITS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

export const SHORTCUTS: readonly Shortcut[] = [
  { command: 'new-listener', label: 'New listener', keys: ['Mod+Shift+L'], menuAccelerator: true },
  { command: 'new-connection', label: 'New connection', keys: ['Mod+Shift+O'], menuAccelerator: true },
  { command: 'new-udp-endpoint', label: 'New UDP endpoint', keys: ['Mod+Shift+D'], menuAccelerator: true },
  { command: 'search-traffic', label: 'Search the traffic log', keys: ['Mod+F'], menuAccelerator: true },
  // Not a menu accelerator: the Message box answers Enter itself, and a menu firing too would send twice.
  { command: 'send-message', label: 'Send the message', keys: ['Mod+Enter'] },
  { command: 'save-message', label: 'Save the message', keys: ['Mod+S'], menuAccelerator: true },
  { command: 'next-endpoint', label: 'Next endpoint in the sidebar', keys: ['Alt+ArrowDown'], menuAccelerator: true },
  { command: 'previous-endpoint', label: 'Previous endpoint in the sidebar', keys: ['Alt+ArrowUp'], menuAccelerator: true },
  {
    command: 'select-endpoint',
    label: 'Endpoint 1 to 9 of the sidebar',
    keys: DIGITS.map((d) => `Mod+${d}`),
  },
  { command: 'keyboard-shortcuts', label: 'Keyboard shortcuts (this list)', keys: ['F1', '?'], menuAccelerator: true },
];

/** The accelerator chord of a menu command, if it has one. */
export function menuChord(command: AppCommand): Chord | undefined {
  const s = SHORTCUTS.find((x) => x.command === command && x.menuAccelerator);
  return s?.keys[0];
}

/** Electron's accelerator syntax for a chord (`Mod+Shift+L` → `CmdOrCtrl+Shift+L`). */
export function electronAccelerator(chord: Chord): string {
  const names: Record<string, string> = { Mod: 'CmdOrCtrl', ArrowDown: 'Down', ArrowUp: 'Up', ArrowLeft: 'Left', ArrowRight: 'Right' };
  return chord
    .split('+')
    .map((part) => names[part] ?? part)
    .join('+');
}

/** A chord as a person reads it: `Ctrl+Shift+L` on Linux and Windows, `⌘⇧L` on macOS. */
export function displayChord(chord: Chord, mac: boolean): string {
  const parts = chord.split('+');
  const key = parts.pop() as string;
  const keyName: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', ArrowLeft: '←', ArrowRight: '→', Enter: mac ? '↩' : 'Enter' };
  const modifier: Record<string, string> = mac ? { Mod: '⌘', Shift: '⇧', Alt: '⌥', Ctrl: '⌃' } : { Mod: 'Ctrl', Shift: 'Shift', Alt: 'Alt', Ctrl: 'Ctrl' };
  const shown = [...parts.map((p) => modifier[p] ?? p), keyName[key] ?? key];
  return mac ? shown.join('') : shown.join('+');
}
