/**
 * The app's one keydown handler (browser mode and Electron alike), and in Electron the menu's
 * commands. Both end in runCommand, so a shortcut and its menu item do the same thing.
 */
import type { SockscopePreloadApi } from '../../../shared/preload-api';
import { matchShortcut } from './chords';
import { isMacPlatform } from './platform';
import { runCommand } from './run-command';
import { isTextEntry } from './ui-targets';

/** A modal dialog (creation form, Keyboard shortcuts, Save message) has the keyboard to itself. */
const modalOpen = () => document.querySelector('dialog[open]') !== null;

/** `menu`: Electron's preload API, whose menu owns the accelerators; undefined in browser mode. */
export function installShortcuts(menu: Pick<SockscopePreloadApi, 'onMenuCommand'> | undefined): void {
  const mac = isMacPlatform();

  document.addEventListener('keydown', (e) => {
    // A control that already used the key (the Message box's Enter, a list's arrows) keeps it.
    if (e.defaultPrevented || e.isComposing) return;
    const match = matchShortcut(e, { mac, inTextField: isTextEntry(e.target as Element | null), menuOwnsAccelerators: menu !== undefined });
    if (!match) return;
    if (e.repeat && match.command !== 'next-endpoint' && match.command !== 'previous-endpoint') {
      e.preventDefault();
      return;
    }
    if (modalOpen()) {
      // Ours, but not now; and never the browser's "Save page" over a dialog either.
      if (match.command === 'save-message') e.preventDefault();
      return;
    }
    // Where the command has nothing to act on, the browser keeps its meaning (Ctrl+F finds in
    // the page, Ctrl+3 goes to tab 3) — except saving the page, which this app never wants.
    if (runCommand(match.command, match.index) === 'done' || match.command === 'save-message') e.preventDefault();
  });

  menu?.onMenuCommand((command) => {
    if (!modalOpen()) runCommand(command);
  });
}
