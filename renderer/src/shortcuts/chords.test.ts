/**
 * Key press → shortcut: the platform's Mod key, other keyboard layouts, text fields left alone,
 * and, in Electron, the menu's own accelerators left to the menu.
 */
import { describe, expect, it } from 'vitest';
import { SHORTCUTS, displayChord } from '../../../shared/app-commands';
import { matchShortcut, type KeyPress, type MatchContext } from './chords';

const press = (key: string, code: string, mods: Partial<KeyPress> = {}): KeyPress => ({
  key,
  code,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});
const linux: MatchContext = { mac: false, inTextField: false, menuOwnsAccelerators: false };
const mac: MatchContext = { ...linux, mac: true };

describe('matchShortcut', () => {
  it('reads Mod as Ctrl on Linux and Windows and as Cmd on macOS, never both', () => {
    const ctrlShiftL = press('L', 'KeyL', { ctrlKey: true, shiftKey: true });
    const cmdShiftL = press('l', 'KeyL', { metaKey: true, shiftKey: true });
    expect(matchShortcut(ctrlShiftL, linux)).toEqual({ command: 'new-listener', index: 0 });
    expect(matchShortcut(cmdShiftL, linux)).toBeNull();
    expect(matchShortcut(cmdShiftL, mac)).toEqual({ command: 'new-listener', index: 0 });
    expect(matchShortcut(ctrlShiftL, mac)).toBeNull();
    expect(matchShortcut(press('f', 'KeyF', { ctrlKey: true, metaKey: true }), mac)).toBeNull();
  });

  it('needs exactly the chord’s modifiers', () => {
    expect(matchShortcut(press('l', 'KeyL', { ctrlKey: true }), linux)).toBeNull();
    expect(matchShortcut(press('F', 'KeyF', { ctrlKey: true, shiftKey: true }), linux)).toBeNull();
    expect(matchShortcut(press('f', 'KeyF', { ctrlKey: true }), linux)).toEqual({ command: 'search-traffic', index: 0 });
    expect(matchShortcut(press('ArrowDown', 'ArrowDown', { altKey: true, ctrlKey: true }), linux)).toBeNull();
  });

  it('maps each of the listed chords to its command', () => {
    const cases: [KeyPress, string][] = [
      [press('O', 'KeyO', { ctrlKey: true, shiftKey: true }), 'new-connection'],
      [press('D', 'KeyD', { ctrlKey: true, shiftKey: true }), 'new-udp-endpoint'],
      [press('Enter', 'Enter', { ctrlKey: true }), 'send-message'],
      [press('s', 'KeyS', { ctrlKey: true }), 'save-message'],
      [press('ArrowDown', 'ArrowDown', { altKey: true }), 'next-endpoint'],
      [press('ArrowUp', 'ArrowUp', { altKey: true }), 'previous-endpoint'],
      [press('F1', 'F1'), 'keyboard-shortcuts'],
      [press('?', 'Slash', { shiftKey: true }), 'keyboard-shortcuts'],
    ];
    for (const [e, command] of cases) expect(matchShortcut(e, linux)?.command, `${e.key}`).toBe(command);
  });

  it('numbers endpoints by the physical digit key (AZERTY types & there), and the numpad', () => {
    expect(matchShortcut(press('3', 'Digit3', { ctrlKey: true }), linux)).toEqual({ command: 'select-endpoint', index: 2 });
    expect(matchShortcut(press('"', 'Digit3', { ctrlKey: true }), linux)).toEqual({ command: 'select-endpoint', index: 2 });
    expect(matchShortcut(press('9', 'Numpad9', { ctrlKey: true }), linux)).toEqual({ command: 'select-endpoint', index: 8 });
    expect(matchShortcut(press('0', 'Digit0', { ctrlKey: true }), linux)).toBeNull();
  });

  it('finds letters by what the layout types (Dvorak), or by the key where it types no Latin letter (Cyrillic)', () => {
    // Dvorak: the key labelled S on QWERTY types "o".
    expect(matchShortcut(press('O', 'KeyS', { ctrlKey: true, shiftKey: true }), linux)?.command).toBe('new-connection');
    expect(matchShortcut(press('Д', 'KeyL', { ctrlKey: true, shiftKey: true }), linux)?.command).toBe('new-listener');
  });

  it('leaves bare keys and Alt+arrows to text fields, not Mod chords or F1', () => {
    const field = { ...linux, inTextField: true };
    expect(matchShortcut(press('?', 'Slash', { shiftKey: true }), field)).toBeNull();
    expect(matchShortcut(press('ArrowDown', 'ArrowDown', { altKey: true }), field)).toBeNull();
    expect(matchShortcut(press('f', 'KeyF', { ctrlKey: true }), field)?.command).toBe('search-traffic');
    expect(matchShortcut(press('Enter', 'Enter', { ctrlKey: true }), field)?.command).toBe('send-message');
    expect(matchShortcut(press('F1', 'F1'), field)?.command).toBe('keyboard-shortcuts');
    // Ctrl+A, Ctrl+C, Ctrl+Z are not ours at all.
    for (const k of ['a', 'c', 'v', 'x', 'z']) expect(matchShortcut(press(k, `Key${k.toUpperCase()}`, { ctrlKey: true }), field)).toBeNull();
  });

  it('in Electron leaves the menu’s accelerators to the menu, and still answers the keys the menu lacks', () => {
    const electron = { ...linux, menuOwnsAccelerators: true };
    expect(matchShortcut(press('L', 'KeyL', { ctrlKey: true, shiftKey: true }), electron)).toBeNull();
    expect(matchShortcut(press('F1', 'F1'), electron)).toBeNull();
    expect(matchShortcut(press('?', 'Slash', { shiftKey: true }), electron)?.command).toBe('keyboard-shortcuts');
    expect(matchShortcut(press('Enter', 'Enter', { ctrlKey: true }), electron)?.command).toBe('send-message');
    expect(matchShortcut(press('2', 'Digit2', { ctrlKey: true }), electron)?.command).toBe('select-endpoint');
  });

  it('has no chord that two shortcuts share', () => {
    const chords = SHORTCUTS.flatMap((s) => s.keys);
    expect(new Set(chords).size).toBe(chords.length);
  });
});

describe('displayChord', () => {
  it('spells chords the way each platform does', () => {
    expect(displayChord('Mod+Shift+L', false)).toBe('Ctrl+Shift+L');
    expect(displayChord('Mod+Shift+L', true)).toBe('⌘⇧L');
    expect(displayChord('Alt+ArrowDown', false)).toBe('Alt+↓');
    expect(displayChord('Mod+Enter', true)).toBe('⌘↩');
  });
});
