import { useCallback, useState } from 'react';
import { KeyboardShortcutsButton, KeyboardShortcutsDialog } from '../shortcuts/keyboard-shortcuts-dialog';
import { useStore } from '../store/store';
import { ThemePicker } from '../theme/theme-picker';
import { RunScriptDialog } from './scripts/run-script-dialog';

export function TopBar() {
  const view = useStore((s) => s.view);
  const form = useStore((s) => s.form);
  const setView = useStore((s) => s.setView);
  const openForm = useStore((s) => s.openForm);
  const [scriptDialog, setScriptDialog] = useState(false);
  const closeScriptDialog = useCallback(() => setScriptDialog(false), []);
  return (
    <header className="top-bar">
      <div className="brand">
        <img src="./icon.svg" alt="" width={22} height={22} />
        <span>Sockscope</span>
      </div>
      <nav className="actions" aria-label="Create">
        <button type="button" aria-pressed={form === 'listener'} onClick={() => openForm('listener')}>
          New listener
        </button>
        <button type="button" aria-pressed={form === 'connection'} onClick={() => openForm('connection')}>
          New connection
        </button>
        <button type="button" aria-pressed={form === 'udp'} onClick={() => openForm('udp')}>
          New UDP endpoint
        </button>
        <button type="button" aria-haspopup="dialog" onClick={() => setScriptDialog(true)}>
          Run a script…
        </button>
      </nav>
      {scriptDialog && <RunScriptDialog onClose={closeScriptDialog} />}
      <div role="tablist" aria-label="Views" className="tabs">
        <button type="button" role="tab" aria-selected={view === 'endpoints'} onClick={() => setView('endpoints')}>
          Endpoints
        </button>
        <button type="button" role="tab" aria-selected={view === 'system-sockets'} onClick={() => setView('system-sockets')}>
          System sockets
        </button>
      </div>
      <div className="desktop-tools">
        <ThemePicker />
        <KeyboardShortcutsButton />
        <KeyboardShortcutsDialog />
      </div>
    </header>
  );
}
