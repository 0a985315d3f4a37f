import { useEffect, useId, useRef } from 'react';
import { SHORTCUTS, displayChord, type Chord } from '../../../shared/app-commands';
import { SAVED_MESSAGE_SHORTCUTS } from '../components/saved-messages/shortcuts';
import { focusFirstField } from '../lib/focus-first-field';
import { isMacPlatform } from './platform';
import { shortcutsDialog } from './shortcuts-dialog-state';

interface ShortcutRow {
  label: string;
  keys: readonly Chord[];
}

function Keys({ keys, mac }: { keys: readonly Chord[]; mac: boolean }) {
  // Mod+1 … Mod+9: the first and last say it all.
  const shown = keys.length > 2 ? [keys[0] as Chord, keys[keys.length - 1] as Chord] : keys;
  return (
    <>
      {shown.map((k, i) => (
        <span key={k}>
          {i > 0 && (keys.length > 2 ? ' … ' : ' or ')}
          <kbd>{displayChord(k, mac)}</kbd>
        </span>
      ))}
    </>
  );
}

function ShortcutTable({ name, rows, mac }: { name: string; rows: readonly ShortcutRow[]; mac: boolean }) {
  return (
    <table aria-label={name}>
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">Keys</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label}>
            <td>{r.label}</td>
            <td className="keys">
              <Keys keys={r.keys} mac={mac} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The `Keyboard shortcuts` dialog: every shortcut of the app, spelled for this platform. */
export function KeyboardShortcutsDialog() {
  const open = shortcutsDialog((s) => s.open);
  const setOpen = shortcutsDialog((s) => s.setOpen);
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const mac = isMacPlatform();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      focusFirstField(d);
    }
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog ref={ref} className="shortcuts-dialog" aria-labelledby={titleId} onClose={() => setOpen(false)}>
      {open && (
        <>
          <header>
            <h2 id={titleId}>Keyboard shortcuts</h2>
            <button type="button" onClick={() => setOpen(false)}>
              Close
            </button>
          </header>
          <ShortcutTable name="Shortcuts" rows={SHORTCUTS} mac={mac} />
          <h3>Saved messages</h3>
          <ShortcutTable name="Saved message shortcuts" rows={SAVED_MESSAGE_SHORTCUTS} mac={mac} />
          <p className="muted">
            Keys with {mac ? '⌘' : 'Ctrl'} work while typing in a field; the others wait until the focus is out of it. In the Message box,
            Enter sends too.
          </p>
        </>
      )}
    </dialog>
  );
}

export function KeyboardShortcutsButton() {
  const setOpen = shortcutsDialog((s) => s.setOpen);
  return (
    <button type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
      Keyboard shortcuts
    </button>
  );
}
